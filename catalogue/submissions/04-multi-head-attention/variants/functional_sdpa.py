# cell: p04-multi-head-attention
class MultiHeadAttention(nn.Module):
    """PyTorch's fused F.scaled_dot_product_attention; weights computed only when asked for."""

    def __init__(self, n_embd, n_head, dropout=0.1):
        super().__init__()
        if n_embd % n_head != 0:
            raise ValueError(f"n_embd={n_embd} is not a multiple of n_head={n_head}")
        self.n_embd, self.n_head, self.dropout = n_embd, n_head, dropout
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.resid_dropout = nn.Dropout(dropout)

    def split_heads(self, x):
        B, T, C = x.shape
        return x.view(B, T, self.n_head, -1).transpose(1, 2)

    def merge_heads(self, x):
        B, H, T, D = x.shape
        return x.transpose(1, 2).reshape(B, T, H * D)

    def forward(self, x, return_weights=False):
        q, k, v = map(self.split_heads, self.c_attn(x).split(self.n_embd, dim=2))
        heads = F.scaled_dot_product_attention(q, k, v, dropout_p=self.dropout if self.training else 0.0)
        out = self.resid_dropout(self.c_proj(self.merge_heads(heads)))
        if not return_weights:
            return out
        weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), dim=-1)
        return out, weights
