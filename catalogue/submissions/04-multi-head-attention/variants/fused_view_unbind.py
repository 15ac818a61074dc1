# cell: p04-multi-head-attention
class MultiHeadAttention(nn.Module):
    """One view of the whole c_attn output as (B, T, 3, H, D), permuted and unbound into q, k, v."""

    def __init__(self, n_embd, n_head, dropout=0.1):
        super().__init__()
        if n_embd % n_head != 0:
            raise ValueError("n_embd must be divisible by n_head")
        self.n_embd = n_embd
        self.n_head = n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.attention = ScaledDotProductAttention(n_embd // n_head, dropout=dropout)
        self.resid_dropout = nn.Dropout(p=dropout)

    def split_heads(self, x):
        B, T, C = x.shape
        return x.unflatten(-1, (self.n_head, -1)).transpose(1, 2)

    def merge_heads(self, x):
        return x.transpose(1, 2).flatten(2)

    def forward(self, x, return_weights=False):
        B, T, C = x.shape
        qkv = self.c_attn(x).view(B, T, 3, self.n_head, C // self.n_head)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)
        heads, weights = self.attention(q, k, v)
        out = self.resid_dropout(self.c_proj(self.merge_heads(heads)))
        if return_weights:
            return out, weights
        return out
