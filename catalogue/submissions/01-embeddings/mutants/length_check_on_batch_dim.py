# cell: p01-embeddings
# expect: compare the sequence length, not the batch size
class Embeddings(nn.Module):
    def __init__(self, vocab_size, n_positions, n_embd, dropout):
        super().__init__()
        self.n_positions = n_positions
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(n_positions, n_embd)
        self.drop = nn.Dropout(dropout)

    def forward(self, input_ids):
        if input_ids.shape[0] > self.n_positions:
            raise ValueError("input is longer than n_positions")
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)
        return self.drop(self.wte(input_ids) + self.wpe(positions))
