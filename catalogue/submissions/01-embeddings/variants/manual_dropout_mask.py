# cell: p01-embeddings
class Embeddings(nn.Module):
    """Inverted dropout written by hand, with torch.where."""

    def __init__(self, vocab_size, n_positions, n_embd, dropout):
        super().__init__()
        self.n_positions = n_positions
        self.p = dropout
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(n_positions, n_embd)
        self.drop = nn.Dropout(dropout)  # kept for the attribute name; the mask below is the same thing

    def forward(self, input_ids):
        T = input_ids.shape[1]
        if T > self.n_positions:
            raise ValueError("too many tokens")
        x = self.wte(input_ids) + self.wpe(torch.arange(T, device=input_ids.device))
        if not self.training or self.p == 0:
            return x
        keep = torch.rand_like(x) >= self.p
        return torch.where(keep, x / (1 - self.p), torch.zeros_like(x))
