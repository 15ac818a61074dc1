# cell: p02-simple-attention
class SimpleAttention(nn.Module):
    """PyTorch's fused attention with scale=1.0 (unscaled) for the output; weights made explicitly."""

    def __init__(self, n_embd):
        super().__init__()
        self.q_proj = nn.Linear(n_embd, n_embd)
        self.k_proj = nn.Linear(n_embd, n_embd)
        self.v_proj = nn.Linear(n_embd, n_embd)

    def forward(self, x):
        q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        out = F.scaled_dot_product_attention(q, k, v, scale=1.0)
        weights = F.softmax(q @ k.transpose(-2, -1), dim=-1)
        return out, weights
