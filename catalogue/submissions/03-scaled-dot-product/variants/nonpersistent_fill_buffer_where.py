# cell: p03-attention
class ScaledDotProductAttention(nn.Module):
    """The fill value kept as a non-persistent buffer (it follows .to(), stays out of the state dict)."""

    def __init__(self, n_embd, dropout=0.1):
        super().__init__()
        self.n_embd = n_embd
        self.dropout = nn.Dropout(dropout)
        self.register_buffer("neg_inf", torch.tensor(float("-inf")), persistent=False)

    def forward(self, q, k, v, mask=None):
        scores = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(k.size(-1)))
        if mask is not None:
            scores = torch.where(mask, scores, self.neg_inf)
        attn = scores.softmax(-1)
        return self.dropout(attn) @ v, attn
