# cell: p05-causal-attention
class CausalMultiHeadAttention(gpt2.MultiHeadAttention):
    """torch.where with the dtype's most negative number, and a persistent bool buffer."""

    def __init__(self, n_embd, n_head, n_positions, dropout=0.1):
        super().__init__(n_embd, n_head, dropout)
        self.n_positions = n_positions
        self.register_buffer("bias", torch.tril(torch.ones(n_positions, n_positions)).bool()[None, None])

    def forward(self, x, return_weights=False):
        if x.size(1) > self.n_positions:
            raise ValueError("input is longer than the context window (n_positions)")
        T = x.size(1)
        q, k, v = (self.split_heads(t) for t in self.c_attn(x).chunk(3, dim=-1))
        scores = torch.matmul(q, k.transpose(-1, -2)) * q.size(-1) ** -0.5
        scores = torch.where(self.bias[:, :, :T, :T], scores, torch.finfo(scores.dtype).min)
        weights = scores.softmax(dim=-1)
        out = self.merge_heads(self.attention.dropout(weights) @ v)
        out = self.resid_dropout(self.c_proj(out))
        if return_weights:
            return out, weights
        return out
