# cell: p14-attention
# expect: ValueError
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
        T_k = k.shape[2]
        scores = q @ k.transpose(-2, -1) / math.sqrt(k.shape[-1])
        scores = scores.masked_fill(~causal_mask(T, T_k, device=x.device), float("-inf"))
        weights = self.attn_dropout(F.softmax(scores, dim=-1))
        out = self.resid_dropout(self.c_proj((weights @ v).transpose(1, 2).reshape(B, T, C)))
        return (out, (k, v)) if use_cache else out
