# cell: p04-multi-head-attention
class MultiHeadAttention(nn.Module):
    """Heads flattened into the batch, torch.baddbmm/bmm, the scale a non-persistent buffer, the
    mask an all-True non-persistent buffer grown (on its own device) when a longer sequence comes."""

    def __init__(self, n_embd, n_head, dropout=0.1):
        super().__init__()
        if n_embd % n_head:
            raise ValueError(f"n_head={n_head} does not divide n_embd={n_embd}")
        self.n_embd, self.n_head, self.head_dim = n_embd, n_head, n_embd // n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.attn_dropout = nn.Dropout(dropout)
        self.resid_dropout = nn.Dropout(dropout)
        self.register_buffer("scale", torch.tensor([self.head_dim ** -0.5]), persistent=False)
        self.register_buffer("allowed", torch.ones(8, 8, dtype=torch.bool), persistent=False)

    def split_heads(self, x):
        return x.unflatten(-1, (self.n_head, self.head_dim)).permute(0, 2, 1, 3)

    def merge_heads(self, x):
        return x.permute(0, 2, 1, 3).flatten(-2)

    def forward(self, x, return_weights=False):
        B, T, C = x.shape
        if T > self.allowed.shape[0]:
            self.allowed = self.allowed.new_ones(T, T)
        q, k, v = (self.split_heads(t).reshape(B * self.n_head, T, self.head_dim)
                   for t in self.c_attn(x).split(C, dim=-1))
        scores = torch.baddbmm(q.new_zeros(B * self.n_head, T, T), q, k.transpose(1, 2)) * self.scale
        scores = scores.masked_fill(~self.allowed[:T, :T], float("-inf"))
        weights = F.softmax(scores, dim=-1)
        heads = torch.bmm(self.attn_dropout(weights), v).view(B, self.n_head, T, self.head_dim)
        out = self.resid_dropout(self.c_proj(self.merge_heads(heads)))
        weights = weights.view(B, self.n_head, T, T)
        return (out, weights) if return_weights else out
