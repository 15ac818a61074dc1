# cell: p04-multi-head-attention
# expect: NaN or inf
# expect: subtract the max of each row
class MultiHeadAttention(nn.Module):
    def __init__(self, n_embd, n_head, dropout=0.1):
        super().__init__()
        self.n_embd = n_embd
        self.n_head = n_head
        if n_embd % n_head != 0:
            raise ValueError(f"n_embd ({n_embd}) must be divisible by n_head ({n_head})")
        self.head_dim = n_embd // n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.attn_dropout = nn.Dropout(dropout)
        self.resid_dropout = nn.Dropout(dropout)

    def split_heads(self, x):
        B, T, C = x.shape
        return x.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)

    def merge_heads(self, x):
        B, H, T, D = x.shape
        return x.transpose(1, 2).contiguous().view(B, T, H * D)

    def forward(self, x, return_weights=False):
        q, k, v = self.c_attn(x).split(self.n_embd, dim=-1)
        q, k, v = self.split_heads(q), self.split_heads(k), self.split_heads(v)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim)
        exp = torch.exp(scores)
        weights = exp / exp.sum(dim=-1, keepdim=True)
        heads = self.attn_dropout(weights) @ v
        out = self.resid_dropout(self.c_proj(self.merge_heads(heads)))
        return (out, weights) if return_weights else out
