# cell: p02-simple-attention
# expect: self.temperature is a plain tensor attribute
class SimpleAttention(nn.Module):
    def __init__(self, n_embd):
        super().__init__()
        self.q_proj = nn.Linear(n_embd, n_embd)
        self.k_proj = nn.Linear(n_embd, n_embd)
        self.v_proj = nn.Linear(n_embd, n_embd)
        self.temperature = torch.ones(1)  # 1 = unscaled; problem 03 changes it

    def forward(self, x):
        q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        weights = F.softmax(q @ k.transpose(-2, -1) / self.temperature, dim=-1)
        return weights @ v, weights
