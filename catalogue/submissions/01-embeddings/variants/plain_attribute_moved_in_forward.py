# cell: p01-embeddings
class Embeddings(nn.Module):
    """A plain tensor attribute is fine as long as forward moves it to the input's device."""

    def __init__(self, vocab_size, n_positions, n_embd, dropout):
        super().__init__()
        self.n_positions = n_positions
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(n_positions, n_embd)
        self.drop = nn.Dropout(dropout)
        self.all_positions = torch.arange(n_positions)

    def forward(self, input_ids):
        B, T = input_ids.shape
        if T > self.n_positions:
            raise ValueError("sequence length exceeds n_positions")
        positions = self.all_positions[:T].to(input_ids.device)
        x = F.embedding(input_ids, self.wte.weight) + F.embedding(positions, self.wpe.weight)[None]
        return self.drop(x)
