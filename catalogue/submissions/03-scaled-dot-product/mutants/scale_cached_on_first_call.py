# cell: p03-attention
# expect: keeps something from an earlier call
class ScaledDotProductAttention(nn.Module):
    def __init__(self, n_embd, dropout=0.1):
        super().__init__()
        self.n_embd = n_embd
        self.dropout = nn.Dropout(dropout)
        self.scale = None

    def forward(self, q, k, v, mask=None):
        if self.scale is None:  # computed once, on the first call
            self.scale = 1.0 / math.sqrt(q.shape[-1])
        scores = q @ k.transpose(-2, -1) * self.scale
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        weights = F.softmax(scores, dim=-1)
        return self.dropout(weights) @ v, weights
