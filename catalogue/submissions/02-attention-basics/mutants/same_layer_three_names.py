# cell: p02-simple-attention
# expect: are the same layer
# expect: one and the same layer (they share their weights)
class SimpleAttention(nn.Module):
    def __init__(self, n_embd):
        super().__init__()
        self.q_proj = self.k_proj = self.v_proj = nn.Linear(n_embd, n_embd)

    def forward(self, x):
        q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        weights = F.softmax(q @ k.transpose(-2, -1), dim=-1)
        return weights @ v, weights
