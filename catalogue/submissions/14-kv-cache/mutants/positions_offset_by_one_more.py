# cell: p14-embeddings
# expect: positions 6, 7, 8
class Embeddings(nn.Module):
    def __init__(self, vocab_size, n_positions, n_embd, dropout):
        super().__init__()
        self.n_positions = n_positions
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(n_positions, n_embd)
        self.drop = nn.Dropout(dropout)

    def forward(self, input_ids, past_length=0):
        T = input_ids.shape[1]
        start = past_length + 1 if past_length else 0  # "the next position after the cache"
        positions = torch.arange(start, start + T, device=input_ids.device)
        return self.drop(self.wte(input_ids) + self.wpe(positions))
