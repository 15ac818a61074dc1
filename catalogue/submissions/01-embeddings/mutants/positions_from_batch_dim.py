# cell: p01-embeddings
# expect: shape[1] is seq_len, shape[0] the batch size
class Embeddings(nn.Module):
    def __init__(self, vocab_size, n_positions, n_embd, dropout):
        super().__init__()
        self.n_positions = n_positions
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(n_positions, n_embd)
        self.drop = nn.Dropout(dropout)

    def forward(self, input_ids):
        T, _ = input_ids.shape  # (wrong: the batch comes first)
        if T > self.n_positions:
            raise ValueError("sequence too long")
        positions = torch.arange(T, device=input_ids.device)
        return self.drop(self.wte(input_ids) + self.wpe(positions))
