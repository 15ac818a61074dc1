# cell: p05-causal-attention
class CausalMultiHeadAttention(gpt2.MultiHeadAttention):
    """A hand-written, max-subtracted softmax, an index-comparison mask per call, and F.dropout."""

    def __init__(self, n_embd, n_head, n_positions, dropout=0.1):
        super().__init__(n_embd, n_head, dropout)
        self.n_positions = n_positions
        self.p = dropout

    def forward(self, x, return_weights=False):
        B, T, C = x.shape
        if T > self.n_positions:
            raise ValueError(f"sequence of {T} tokens is longer than n_positions ({self.n_positions})")
        q, k, v = self.c_attn(x).chunk(3, dim=-1)
        q, k, v = self.split_heads(q), self.split_heads(k), self.split_heads(v)
        scores = torch.einsum("bhid,bhjd->bhij", q, k) / math.sqrt(C // self.n_head)
        pos = torch.arange(T, device=x.device)
        scores = torch.where(pos[None, :] <= pos[:, None], scores, float("-inf"))
        scores = scores - scores.amax(dim=-1, keepdim=True)
        e = scores.exp()
        weights = e / e.sum(dim=-1, keepdim=True)
        dropped = F.dropout(weights, p=self.p, training=self.training)
        out = F.dropout(self.c_proj(self.merge_heads(dropped @ v)), p=self.p, training=self.training)
        return (out, weights) if return_weights else out
