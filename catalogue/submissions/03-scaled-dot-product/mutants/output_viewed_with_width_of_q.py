# cell: p03-attention
# expect: works when d_v = d_k
# expect: v.shape[-1]
class ScaledDotProductAttention(nn.Module):
    """Flattens the leading dimensions for torch.bmm, but restores the output with q's width d_k."""

    def __init__(self, n_embd, dropout=0.1):
        super().__init__()
        self.n_embd = n_embd
        self.dropout = nn.Dropout(dropout)

    def forward(self, q, k, v, mask=None):
        *lead, T, d_k = q.shape
        q3, k3, v3 = (x.reshape(-1, x.shape[-2], x.shape[-1]) for x in (q, k, v))
        scores = torch.bmm(q3, k3.transpose(1, 2)).view(*lead, T, k.shape[-2]) / d_k ** 0.5
        if mask is not None:
            scores = scores.masked_fill(~mask.bool(), float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        dropped = self.dropout(weights).reshape(-1, T, k.shape[-2])
        out = torch.bmm(dropped, v3).view(*lead, T, d_k)
        return out, weights
