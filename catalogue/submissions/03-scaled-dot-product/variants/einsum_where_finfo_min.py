# cell: p03-attention
class ScaledDotProductAttention(nn.Module):
    def __init__(self, n_embd=None, dropout=0.1):
        super().__init__()
        self.n_embd = n_embd
        self.dropout = nn.Dropout(p=dropout)

    def forward(self, q, k, v, mask=None):
        scores = torch.einsum("...id,...jd->...ij", q, k) * q.shape[-1] ** -0.5
        if mask is not None:
            scores = torch.where(mask, scores, torch.finfo(scores.dtype).min)
        attn = F.softmax(scores, dim=-1)
        out = torch.einsum("...ij,...jd->...id", self.dropout(attn), v)
        return out, attn
