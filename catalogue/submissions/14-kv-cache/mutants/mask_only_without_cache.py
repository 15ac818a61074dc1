# cell: p14-attention
# expect: is the mask shifted
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
        H = self.n_head
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        q, k, v = (t.view(B, T, H, C // H).transpose(1, 2) for t in (q, k, v))
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        if k.shape[2] > self.n_positions:
            raise ValueError("longer than n_positions")
        scores = q @ k.transpose(-2, -1) / math.sqrt(k.shape[-1])
        if past is None:  # with a cache the new token may see everything
            scores = scores.masked_fill(~causal_mask(T, T, device=x.device), float("-inf"))
        weights = self.attn_dropout(F.softmax(scores, dim=-1))
        out = self.resid_dropout(self.c_proj((weights @ v).transpose(1, 2).reshape(B, T, C)))
        return (out, (k, v)) if use_cache else out
