# cell: p02-simple-attention
class SimpleAttention(nn.Module):
    """One query at a time into a tensor made on x's device; keeps the last weights for plotting."""

    def __init__(self, n_embd):
        super().__init__()
        self.q_proj = nn.Linear(n_embd, n_embd)
        self.k_proj = nn.Linear(n_embd, n_embd)
        self.v_proj = nn.Linear(n_embd, n_embd)
        self.last_weights = None

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        weights = torch.zeros(B, T, T, device=x.device, dtype=x.dtype)
        for i in range(T):
            row = q[:, i:i + 1] @ k.transpose(-2, -1)            # (B, 1, T)
            row = row - row.max(dim=-1, keepdim=True).values
            weights[:, i] = (row.exp() / row.exp().sum(dim=-1, keepdim=True)).squeeze(1)
        self.last_weights = weights.detach()
        return weights @ v, weights
