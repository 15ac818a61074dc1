# cell: p03-attention
# expect: with float64 q, k, v
# expect: Keep the inputs' dtype
class ScaledDotProductAttention(nn.Module):
    def __init__(self, n_embd, dropout=0.1):
        super().__init__()
        self.n_embd = n_embd
        self.dropout = nn.Dropout(dropout)

    def forward(self, q, k, v, mask=None):
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        weights = F.softmax(scores.float(), dim=-1)   # softmax in float32 "for precision"
        return self.dropout(weights) @ v, weights
