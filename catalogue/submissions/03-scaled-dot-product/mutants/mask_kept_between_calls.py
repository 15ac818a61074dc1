# cell: p03-attention
# expect: do not keep the mask between calls
class ScaledDotProductAttention(nn.Module):
    def __init__(self, n_embd, dropout=0.1):
        super().__init__()
        self.n_embd = n_embd
        self.dropout = nn.Dropout(dropout)
        self.mask = None

    def forward(self, q, k, v, mask=None):
        if mask is not None:
            self.mask = mask            # remembered for the next calls
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
        if self.mask is not None and self.mask.shape[-1] == scores.shape[-1]:
            scores = scores.masked_fill(~self.mask, float("-inf"))
        weights = F.softmax(scores, dim=-1)
        return self.dropout(weights) @ v, weights
