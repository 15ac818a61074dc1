# cell: p14-embeddings
# expect: not offset by past_length
class Embeddings(nn.Module):
    def __init__(self, vocab_size, n_positions, n_embd, dropout):
        super().__init__()
        self.n_positions = n_positions
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(n_positions, n_embd)
        self.drop = nn.Dropout(dropout)

    def forward(self, input_ids, past_length=0):
        T = input_ids.shape[1]
        if past_length + T > self.n_positions:
            raise ValueError("too long for n_positions")
        positions = torch.arange(T, device=input_ids.device)
        return self.drop(self.wte(input_ids) + self.wpe(positions))
