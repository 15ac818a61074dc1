# cell: p04-multi-head-attention
class MultiHeadAttention(nn.Module):
    """A 0-dim tensor scale kept as a plain attribute (a scalar may meet tensors on any device), an
    all-True mask made per call on the input's device, torch.where, a softmax written out by hand."""

    def __init__(self, n_embd, n_head, dropout=0.1):
        super().__init__()
        if n_embd % n_head != 0:
            raise ValueError(f"n_embd ({n_embd}) must be divisible by n_head ({n_head})")
        self.n_embd, self.n_head, self.p = n_embd, n_head, dropout
        self.scale = 1.0 / torch.sqrt(torch.tensor(float(n_embd // n_head)))
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.resid_dropout = nn.Dropout(dropout)

    def split_heads(self, x):
        B, T, C = x.shape
        return x.reshape(B, T, self.n_head, C // self.n_head).transpose(1, 2)

    def merge_heads(self, x):
        B, H, T, D = x.shape
        return x.transpose(1, 2).reshape(B, T, H * D)

    def forward(self, x, return_weights=False):
        T = x.shape[1]
        q, k, v = (self.split_heads(t) for t in self.c_attn(x).chunk(3, dim=-1))
        scores = torch.matmul(q, k.transpose(-1, -2)) * self.scale
        allowed = torch.ones(T, T, dtype=torch.bool, device=x.device)
        scores = torch.where(allowed, scores, torch.full_like(scores, float("-inf")))
        exp = torch.exp(scores - scores.amax(dim=-1, keepdim=True))
        weights = exp / exp.sum(dim=-1, keepdim=True)
        heads = F.dropout(weights, self.p, training=self.training) @ v
        out = self.resid_dropout(self.c_proj(self.merge_heads(heads)))
        return (out, weights) if return_weights else out
