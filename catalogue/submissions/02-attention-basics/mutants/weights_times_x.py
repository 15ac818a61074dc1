# cell: p02-simple-attention
# expect: the weights average the input x
# expect: no gradient reached v_proj.weight
class SimpleAttention(nn.Module):
    def __init__(self, n_embd):
        super().__init__()
        self.q_proj = nn.Linear(n_embd, n_embd)
        self.k_proj = nn.Linear(n_embd, n_embd)
        self.v_proj = nn.Linear(n_embd, n_embd)

    def forward(self, x):
        q, k = self.q_proj(x), self.k_proj(x)
        weights = F.softmax(q @ k.transpose(-2, -1), dim=-1)
        return weights @ x, weights
