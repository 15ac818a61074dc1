# cell: p04-multi-head-attention
class MultiHeadAttention(nn.Module):
    """Three slices of the c_attn output; heads stacked from / concatenated to channel blocks."""

    def __init__(self, n_embd, n_head, dropout=0.1):
        super().__init__()
        if n_embd % n_head != 0:
            raise ValueError(f"{n_embd} channels cannot be shared equally by {n_head} heads")
        self.n_embd, self.n_head, self.p = n_embd, n_head, dropout
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.attention = ScaledDotProductAttention(n_embd // n_head, dropout)

    def split_heads(self, x):
        return torch.stack(x.split(self.n_embd // self.n_head, dim=-1), dim=1)

    def merge_heads(self, x):
        return torch.cat(x.unbind(dim=1), dim=-1)

    def forward(self, x, return_weights=False):
        C = self.n_embd
        qkv = self.c_attn(x)
        q, k, v = qkv[..., :C], qkv[..., C:2 * C], qkv[..., 2 * C:]
        heads, weights = self.attention(self.split_heads(q), self.split_heads(k), self.split_heads(v))
        out = F.dropout(self.c_proj(self.merge_heads(heads)), p=self.p, training=self.training)
        return (out, weights) if return_weights else out
