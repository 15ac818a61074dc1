# cell: p01-embeddings
class Embeddings(nn.Module):
    """Keeps the positions 0..n_positions-1 from the first call (on the input's device) and slices them."""

    def __init__(self, vocab_size, n_positions, n_embd, dropout):
        super().__init__()
        self.n_positions = n_positions
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(n_positions, n_embd)
        self.drop = nn.Dropout(dropout)
        self._positions = None

    def forward(self, input_ids):
        T = input_ids.size(-1)
        if T > self.n_positions:
            raise ValueError(f"got {T} tokens, at most {self.n_positions} are allowed")
        if self._positions is None or self._positions.device != input_ids.device:
            self._positions = torch.arange(self.n_positions, device=input_ids.device)
        return self.drop(self.wte(input_ids) + self.wpe(self._positions[:T]))
