# cell: p03-attention
# expect: is a plain tensor attribute made in __init__
class ScaledDotProductAttention(nn.Module):
    def __init__(self, n_embd, dropout=0.1):
        super().__init__()
        self.n_embd = n_embd
        self.dropout = nn.Dropout(dropout)
        self.neg_inf = torch.full((1,), float("-inf"))

    def forward(self, q, k, v, mask=None):
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
        if mask is not None:
            scores = torch.where(mask, scores, self.neg_inf)
        weights = F.softmax(scores, dim=-1)
        return self.dropout(weights) @ v, weights
