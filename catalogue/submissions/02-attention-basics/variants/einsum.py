# cell: p02-simple-attention
class SimpleAttention(nn.Module):
    def __init__(self, n_embd):
        super().__init__()
        self.q_proj = nn.Linear(n_embd, n_embd)
        self.k_proj = nn.Linear(n_embd, n_embd)
        self.v_proj = nn.Linear(n_embd, n_embd)

    def forward(self, x):
        q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        scores = torch.einsum("bic,bjc->bij", q, k)   # query i, key j
        weights = scores.softmax(dim=-1)
        out = torch.einsum("bij,bjc->bic", weights, v)
        return out, weights
