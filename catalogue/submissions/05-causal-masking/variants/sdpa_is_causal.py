# cell: p05-causal-attention
class CausalMultiHeadAttention(gpt2.MultiHeadAttention):
    """PyTorch's fused kernel with is_causal=True; the weights are computed only when asked for."""

    def __init__(self, n_embd, n_head, n_positions, dropout=0.1):
        super().__init__(n_embd, n_head, dropout)
        self.n_positions = n_positions
        self.register_buffer("mask", torch.ones(n_positions, n_positions, dtype=torch.bool).tril(),
                             persistent=False)

    def forward(self, x, return_weights=False):
        T = x.shape[1]
        if T > self.n_positions:
            raise ValueError("sequence too long for n_positions")
        q, k, v = (self.split_heads(t) for t in self.c_attn(x).split(self.n_embd, dim=-1))
        p = self.attention.dropout.p if self.training else 0.0
        out = F.scaled_dot_product_attention(q, k, v, dropout_p=p, is_causal=True)
        out = self.resid_dropout(self.c_proj(self.merge_heads(out)))
        if not return_weights:
            return out
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1])
        weights = scores.masked_fill(~self.mask[:T, :T], float("-inf")).softmax(-1)
        return out, weights
