# cell: p02-simple-attention
# expect: creates a tensor without device=
class SimpleAttention(nn.Module):
    def __init__(self, n_embd):
        super().__init__()
        self.q_proj = nn.Linear(n_embd, n_embd)
        self.k_proj = nn.Linear(n_embd, n_embd)
        self.v_proj = nn.Linear(n_embd, n_embd)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        weights = torch.zeros(B, T, T)
        for i in range(T):  # one query at a time
            weights[:, i] = F.softmax((q[:, i:i + 1] @ k.transpose(-2, -1)).squeeze(1), dim=-1)
        return weights @ v, weights
