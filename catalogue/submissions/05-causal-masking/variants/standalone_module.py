# cell: p05-causal-attention
class CausalMultiHeadAttention(nn.Module):
    """Written from scratch on nn.Module, nanoGPT style: own projections, reshapes and dropouts."""

    def __init__(self, n_embd, n_head, n_positions, dropout=0.1):
        super().__init__()
        assert n_embd % n_head == 0
        self.n_embd, self.n_head, self.n_positions = n_embd, n_head, n_positions
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.attn_dropout = nn.Dropout(dropout)
        self.resid_dropout = nn.Dropout(dropout)
        self.register_buffer("bias", torch.tril(torch.ones(n_positions, n_positions))
                             .view(1, 1, n_positions, n_positions))

    def forward(self, x, return_weights=False):
        B, T, C = x.size()
        if T > self.n_positions:
            raise ValueError(f"Cannot forward sequence of length {T}, block size is only {self.n_positions}")
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
        att = F.softmax(att, dim=-1)
        y = self.attn_dropout(att) @ v
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        y = self.resid_dropout(self.c_proj(y))
        return (y, att) if return_weights else y
