# cell: p02-simple-attention
# expect: instead of 1
class SimpleAttention(nn.Module):
    def __init__(self, n_embd):
        super().__init__()
        self.q_proj = nn.Linear(n_embd, n_embd)
        self.k_proj = nn.Linear(n_embd, n_embd)
        self.v_proj = nn.Linear(n_embd, n_embd)

    def forward(self, x):
        q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        scores = q @ k.transpose(-2, -1)
        e = torch.exp(scores - scores.max())  # one maximum for the whole batch
        weights = e / (e.sum(dim=-1, keepdim=True) + 1e-9)
        return weights @ v, weights
