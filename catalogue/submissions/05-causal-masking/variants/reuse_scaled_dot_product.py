# cell: p05-causal-attention
class CausalMultiHeadAttention(gpt2.MultiHeadAttention):
    """Builds and crops the mask, then hands it to problem 03's ScaledDotProductAttention."""

    def __init__(self, n_embd, n_head, n_positions, dropout=0.1):
        super().__init__(n_embd, n_head, dropout)
        self.n_positions = n_positions
        causal = torch.tril(torch.ones(n_positions, n_positions, dtype=torch.bool))
        self.register_buffer("mask", causal.view(1, 1, n_positions, n_positions), persistent=False)

    def forward(self, x, return_weights=False):
        T = x.shape[1]
        if T > self.n_positions:
            raise ValueError(f"sequence length {T} is longer than n_positions={self.n_positions}")
        q, k, v = self.c_attn(x).split(self.n_embd, dim=-1)
        q, k, v = self.split_heads(q), self.split_heads(k), self.split_heads(v)
        out, weights = self.attention(q, k, v, mask=self.mask[:, :, :T, :T])
        out = self.resid_dropout(self.c_proj(self.merge_heads(out)))
        return (out, weights) if return_weights else out
