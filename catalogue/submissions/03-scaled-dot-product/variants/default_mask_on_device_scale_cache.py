# cell: p03-attention
class ScaledDotProductAttention(nn.Module):
    """An all-True (T_q, T_k) mask made on the inputs' device when none is given, a per-d_k cache
    of the scale, a plain 0-dim tensor attribute (a scalar: fine on any device) and F.dropout."""

    def __init__(self, n_embd, dropout=0.1):
        super().__init__()
        self.n_embd = n_embd
        self.dropout = nn.Dropout(dropout)
        self.blocked = torch.tensor(float("-inf"))
        self._scales = {}

    def forward(self, q, k, v, mask=None):
        d_k = q.shape[-1]
        if d_k not in self._scales:
            self._scales[d_k] = d_k ** -0.5
        if mask is None:
            mask = torch.ones(q.shape[-2], k.shape[-2], dtype=torch.bool, device=q.device)
        scores = (q @ k.transpose(-2, -1)) * self._scales[d_k]
        scores = torch.where(mask, scores, self.blocked)
        weights = F.softmax(scores, dim=-1)
        dropped = F.dropout(weights, p=self.dropout.p, training=self.training)
        return dropped @ v, weights
