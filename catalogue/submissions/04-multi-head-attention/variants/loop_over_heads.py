# cell: p04-multi-head-attention
class MultiHeadAttention(nn.Module):
    """The textbook picture: a Python loop, one head at a time, outputs concatenated."""

    def __init__(self, n_embd, n_head, dropout=0.1):
        super().__init__()
        if n_embd % n_head != 0:
            raise ValueError(f"n_embd ({n_embd}) must be divisible by n_head ({n_head})")
        self.n_embd, self.n_head = n_embd, n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.attention = ScaledDotProductAttention(n_embd // n_head, dropout)
        self.resid_dropout = nn.Dropout(dropout)

    def split_heads(self, x):
        B, T, C = x.shape
        D = C // self.n_head
        return torch.stack([x[:, :, h * D:(h + 1) * D] for h in range(self.n_head)], dim=1)

    def merge_heads(self, x):
        return torch.cat([x[:, h] for h in range(x.shape[1])], dim=-1)

    def forward(self, x, return_weights=False):
        q, k, v = torch.chunk(self.c_attn(x), 3, dim=-1)
        D = self.n_embd // self.n_head
        outs, all_weights = [], []
        for h in range(self.n_head):
            part = slice(h * D, (h + 1) * D)
            out_h, w_h = self.attention(q[..., part], k[..., part], v[..., part])
            outs.append(out_h)
            all_weights.append(w_h)
        out = self.resid_dropout(self.c_proj(torch.cat(outs, dim=-1)))
        return (out, torch.stack(all_weights, dim=1)) if return_weights else out
