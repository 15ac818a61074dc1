# cell: p04-multi-head-attention
# expect: plain tensor attribute
# expect: register_buffer
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
        self.attention = ScaledDotProductAttention(self.head_dim, dropout)
        self.resid_dropout = nn.Dropout(dropout)
        self.allowed = torch.ones(1, 1, 1024, 1024, dtype=torch.bool)  # no pair is masked yet

    def split_heads(self, x):
        B, T, C = x.shape
        return x.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)

    def merge_heads(self, x):
        B, H, T, D = x.shape
        return x.transpose(1, 2).contiguous().view(B, T, H * D)

    def forward(self, x, return_weights=False):
        T = x.shape[1]
        q, k, v = self.c_attn(x).split(self.n_embd, dim=-1)
        q, k, v = self.split_heads(q), self.split_heads(k), self.split_heads(v)
        heads, weights = self.attention(q, k, v, mask=self.allowed[:, :, :T, :T])
        out = self.resid_dropout(self.c_proj(self.merge_heads(heads)))
        return (out, weights) if return_weights else out
