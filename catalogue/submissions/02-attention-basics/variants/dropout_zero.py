# cell: p02-simple-attention
class SimpleAttention(nn.Module):
    """Ready for problem 03: a dropout layer on the weights, switched off with p=0.0."""

    def __init__(self, n_embd):
        super().__init__()
        self.q_proj = nn.Linear(n_embd, n_embd)
        self.k_proj = nn.Linear(n_embd, n_embd)
        self.v_proj = nn.Linear(n_embd, n_embd)
        self.attn_dropout = nn.Dropout(p=0.0)

    def forward(self, x):
        q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        weights = F.softmax(q @ k.transpose(-2, -1), dim=-1)
        return self.attn_dropout(weights) @ v, weights
