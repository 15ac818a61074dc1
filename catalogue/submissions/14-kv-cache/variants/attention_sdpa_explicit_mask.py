# cell: p14-attention
class CausalMultiHeadAttention(nn.Module):
    def __init__(self, n_embd, n_head, n_positions, dropout=0.1):
        super().__init__()
        self.n_embd, self.n_head, self.n_positions = n_embd, n_head, n_positions
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.attn_dropout = nn.Dropout(dropout)
        self.resid_dropout = nn.Dropout(dropout)

    def forward(self, x, past=None, use_cache=False):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).chunk(3, dim=-1)
        q, k, v = (t.reshape(B, T, self.n_head, -1).permute(0, 2, 1, 3) for t in (q, k, v))
        if past is not None:
            k, v = torch.cat((past[0], k), dim=-2), torch.cat((past[1], v), dim=-2)
        if k.shape[-2] > self.n_positions:
            raise ValueError(f"{k.shape[-2]} tokens > n_positions={self.n_positions}")
        mask = causal_mask(T, k.shape[-2], device=x.device)
        p = self.attn_dropout.p if self.training else 0.0
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p)
        out = self.resid_dropout(self.c_proj(out.permute(0, 2, 1, 3).reshape(B, T, C)))
        if use_cache:
            return out, [k, v]
        return out
