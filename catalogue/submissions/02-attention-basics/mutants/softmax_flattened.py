# cell: p02-simple-attention
# expect: The whole 6x6 matrix sums to 1
# expect: over the whole (T, T) score matrix
class SimpleAttention(nn.Module):
    def __init__(self, n_embd):
        super().__init__()
        self.q_proj = nn.Linear(n_embd, n_embd)
        self.k_proj = nn.Linear(n_embd, n_embd)
        self.v_proj = nn.Linear(n_embd, n_embd)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        scores = q @ k.transpose(-2, -1)
        weights = F.softmax(scores.view(B, -1), dim=-1).view(B, T, T)
        return weights @ v, weights
