# cell: p03-attention
# expect: 3 queries and 7 keys
# expect: not from q alone
class ScaledDotProductAttention(nn.Module):
    """Flattens the leading dimensions for torch.bmm, but restores the scores as T x T from q's length."""

    def __init__(self, n_embd, dropout=0.1):
        super().__init__()
        self.n_embd = n_embd
        self.dropout = nn.Dropout(dropout)

    def forward(self, q, k, v, mask=None):
        *lead, T, d_k = q.shape
        q3, k3, v3 = (x.reshape(-1, x.shape[-2], x.shape[-1]) for x in (q, k, v))
        scores = torch.bmm(q3, k3.transpose(1, 2)).view(*lead, T, T) / d_k ** 0.5
        if mask is not None:
            scores = scores.masked_fill(~mask.bool(), float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        dropped = self.dropout(weights).reshape(-1, T, T)
        out = torch.bmm(dropped, v3).view(*lead, T, v.shape[-1])
        return out, weights
