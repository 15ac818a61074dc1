# cell: p14-embeddings
# expect: ValueError
class Embeddings(nn.Module):
    def __init__(self, vocab_size, n_positions, n_embd, dropout):
        super().__init__()
        self.n_positions = n_positions
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(n_positions, n_embd)
        self.drop = nn.Dropout(dropout)

    def forward(self, input_ids, past_length=0):
        T = input_ids.shape[1]
        positions = torch.arange(past_length, past_length + T, device=input_ids.device)
        positions = positions.clamp(max=self.n_positions - 1)  # never index past the table
        return self.drop(self.wte(input_ids) + self.wpe(positions))
