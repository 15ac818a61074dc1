# cell: p05-causal-attention
class CausalMultiHeadAttention(gpt2.MultiHeadAttention):
    """An additive float mask (0 where allowed, -inf where not), persistent, added to the scores."""

    def __init__(self, n_embd, n_head, n_positions, dropout=0.1):
        super().__init__(n_embd, n_head, dropout)
        self.n_positions = n_positions
        additive = torch.full((n_positions, n_positions), float("-inf")).triu(1)
        self.register_buffer("mask", additive)

    def forward(self, x, return_weights=False):
        B, T, C = x.shape
        if T > self.n_positions:
            raise ValueError(f"got {T} tokens, at most n_positions={self.n_positions} allowed")
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = map(self.split_heads, (q, k, v))
        scores = q @ k.transpose(-2, -1) / math.sqrt(C // self.n_head)
        weights = F.softmax(scores + self.mask[:T, :T], dim=-1)
        out = self.resid_dropout(self.c_proj(self.merge_heads(self.attention.dropout(weights) @ v)))
        return (out, weights) if return_weights else out
