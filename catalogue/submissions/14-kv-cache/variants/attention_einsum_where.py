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
        H, D = self.n_head, C // self.n_head
        qkv = self.c_attn(x).view(B, T, 3, H, D).permute(2, 0, 3, 1, 4)   # (3, B, H, T, D)
        q, k, v = qkv.unbind(0)
        if past is not None:
            k_past, v_past = past
            k, v = torch.cat([k_past, k], 2), torch.cat([v_past, v], 2)
        T_k = k.shape[2]
        if T_k > self.n_positions:
            raise ValueError("the cache is full: n_positions exceeded")
        scores = torch.einsum("bhqd,bhkd->bhqk", q, k) / D ** 0.5
        scores = torch.where(causal_mask(T, T_k, device=x.device), scores, torch.finfo(scores.dtype).min)
        weights = self.attn_dropout(scores.softmax(-1))
        out = torch.einsum("bhqk,bhkd->bqhd", weights, v).reshape(B, T, C)
        out = self.resid_dropout(self.c_proj(out))
        return (out, (k, v)) if use_cache else out
