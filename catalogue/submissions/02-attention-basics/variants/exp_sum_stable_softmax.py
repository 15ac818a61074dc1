# cell: p02-simple-attention
class SimpleAttention(nn.Module):
    """Softmax written out by hand, made safe by subtracting each row's maximum."""

    def __init__(self, n_embd):
        super().__init__()
        self.q_proj = nn.Linear(n_embd, n_embd)
        self.k_proj = nn.Linear(n_embd, n_embd)
        self.v_proj = nn.Linear(n_embd, n_embd)

    def forward(self, x):
        q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        scores = torch.matmul(q, k.mT)
        scores = scores - scores.amax(dim=-1, keepdim=True)
        e = torch.exp(scores)
        weights = e / e.sum(dim=-1, keepdim=True)
        return torch.matmul(weights, v), weights
