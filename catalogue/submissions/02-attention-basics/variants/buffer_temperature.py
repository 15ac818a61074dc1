# cell: p02-simple-attention
class SimpleAttention(nn.Module):
    """A temperature kept as a non-persistent buffer (follows .to(), not in the state dict); torch.where softmax input."""

    def __init__(self, n_embd):
        super().__init__()
        self.q_proj = nn.Linear(n_embd, n_embd)
        self.k_proj = nn.Linear(n_embd, n_embd)
        self.v_proj = nn.Linear(n_embd, n_embd)
        self.register_buffer("temperature", torch.ones(1), persistent=False)

    def forward(self, x):
        q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        scores = torch.matmul(q, k.transpose(-1, -2)) / self.temperature
        allowed = torch.ones(scores.shape[-2:], dtype=torch.bool, device=x.device)
        scores = torch.where(allowed, scores, torch.full_like(scores, float("-inf")))
        weights = torch.softmax(scores, dim=-1)
        return torch.matmul(weights, v), weights
