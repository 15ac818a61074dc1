# cell: p03-attention
class ScaledDotProductAttention(nn.Module):
    """Scale q before the product, and a hand-written softmax that subtracts the row maximum."""

    def __init__(self, n_embd, dropout=0.1):
        super().__init__()
        self.n_embd = n_embd
        self.dropout = nn.Dropout(dropout)

    def forward(self, q, k, v, mask=None):
        q = q / math.sqrt(q.shape[-1])
        scores = torch.matmul(q, k.mT)
        if mask is not None:
            scores = scores.masked_fill(mask == 0, -1e9)
        scores = scores - scores.amax(dim=-1, keepdim=True)
        e = scores.exp()
        weights = e / e.sum(dim=-1, keepdim=True)
        dropped = F.dropout(weights, p=self.dropout.p, training=self.training)
        return torch.matmul(dropped, v), weights
