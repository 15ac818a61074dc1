# cell: p03-attention
# expect: k is reshaped to (..., d_k, T) instead of transposed
class ScaledDotProductAttention(nn.Module):
    def __init__(self, n_embd, dropout=0.1):
        super().__init__()
        self.n_embd = n_embd
        self.dropout = nn.Dropout(dropout)

    def forward(self, q, k, v, mask=None):
        *lead, T, d_k = k.shape
        scores = q @ k.reshape(*lead, d_k, T) / math.sqrt(d_k)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        weights = F.softmax(scores, dim=-1)
        return self.dropout(weights) @ v, weights
