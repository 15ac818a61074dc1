# cell: p02-simple-attention
# expect: your forward is random
# expect: in training mode two calls on the same input give different
class SimpleAttention(nn.Module):
    def __init__(self, n_embd):
        super().__init__()
        self.q_proj = nn.Linear(n_embd, n_embd)
        self.k_proj = nn.Linear(n_embd, n_embd)
        self.v_proj = nn.Linear(n_embd, n_embd)

    def forward(self, x):
        q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        weights = F.softmax(q @ k.transpose(-2, -1), dim=-1)
        weights = F.dropout(weights, p=0.1, training=self.training)
        return weights @ v, weights
