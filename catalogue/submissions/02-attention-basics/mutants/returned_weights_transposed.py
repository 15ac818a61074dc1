# cell: p02-simple-attention
# expect: the weights you return are transposed
# expect: the attn_weights you return are transposed
class SimpleAttention(nn.Module):
    def __init__(self, n_embd):
        super().__init__()
        self.q_proj = nn.Linear(n_embd, n_embd)
        self.k_proj = nn.Linear(n_embd, n_embd)
        self.v_proj = nn.Linear(n_embd, n_embd)

    def forward(self, x):
        q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        weights = F.softmax(q @ k.transpose(-2, -1), dim=-1)
        return weights @ v, weights.transpose(1, 2)  # (key, query), like the plots in the paper
