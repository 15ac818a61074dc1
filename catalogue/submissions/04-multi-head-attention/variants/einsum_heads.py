# cell: p04-multi-head-attention
class MultiHeadAttention(nn.Module):
    """einsum throughout: the head is an index of the tensors, q, k, v stay (B, T, H, D)."""

    def __init__(self, n_embd, n_head, dropout=0.1):
        super().__init__()
        if n_embd % n_head:
            raise ValueError(f"cannot cut {n_embd} channels into {n_head} equal heads")
        self.n_embd, self.n_head = n_embd, n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.attn_dropout = nn.Dropout(dropout)
        self.resid_dropout = nn.Dropout(dropout)

    def split_heads(self, x):
        B, T, C = x.shape
        return x.reshape(B, T, self.n_head, C // self.n_head).permute(0, 2, 1, 3)

    def merge_heads(self, x):
        B, H, T, D = x.shape
        return x.permute(0, 2, 1, 3).reshape(B, T, H * D)

    def forward(self, x, return_weights=False):
        B, T, C = x.shape
        H, D = self.n_head, C // self.n_head
        q, k, v = (t.reshape(B, T, H, D) for t in self.c_attn(x).chunk(3, dim=-1))
        scores = torch.einsum("bqhd,bkhd->bhqk", q, k) * D ** -0.5
        weights = scores.softmax(dim=-1)
        heads = torch.einsum("bhqk,bkhd->bqhd", self.attn_dropout(weights), v)
        out = self.resid_dropout(self.c_proj(heads.reshape(B, T, C)))
        return (out, weights) if return_weights else out
