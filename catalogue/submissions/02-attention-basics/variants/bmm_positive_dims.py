# cell: p02-simple-attention
class SimpleAttention(nn.Module):
    def __init__(self, n_embd):
        super().__init__()
        self.q_proj = nn.Linear(n_embd, n_embd, bias=True)
        self.k_proj = nn.Linear(n_embd, n_embd, bias=True)
        self.v_proj = nn.Linear(n_embd, n_embd, bias=True)

    def forward(self, x):
        query = self.q_proj(x)
        key = self.k_proj(x)
        value = self.v_proj(x)
        attn_scores = torch.bmm(query, key.permute(0, 2, 1))
        attn_weights = torch.softmax(attn_scores, dim=2)
        return torch.bmm(attn_weights, value), attn_weights
