# cell: p05-causal-attention
class CausalMultiHeadAttention(gpt2.MultiHeadAttention):
    """The tutorial fill value -1e9 instead of -inf, and the last weights kept on the module for inspection."""

    def __init__(self, n_embd, n_head, n_positions, dropout=0.1):
        super().__init__(n_embd, n_head, dropout)
        self.n_positions = n_positions
        self.register_buffer("mask", torch.tril(torch.ones(1, 1, n_positions, n_positions)), persistent=False)
        self.last_weights = None

    def forward(self, x, return_weights=False):
        B, T, C = x.shape
        if T > self.n_positions:
            raise ValueError(f"T={T} exceeds n_positions={self.n_positions}")
        q, k, v = self.c_attn(x).split(self.n_embd, dim=-1)
        q, k, v = self.split_heads(q), self.split_heads(k), self.split_heads(v)
        scores = (q @ k.transpose(-2, -1)) / (q.size(-1) ** 0.5)
        scores = scores.masked_fill(self.mask[:, :, :T, :T] == 0, -1e9)
        weights = F.softmax(scores, dim=-1)
        self.last_weights = weights.detach()
        out = self.resid_dropout(self.c_proj(self.merge_heads(self.attention.dropout(weights) @ v)))
        return (out, weights) if return_weights else out
