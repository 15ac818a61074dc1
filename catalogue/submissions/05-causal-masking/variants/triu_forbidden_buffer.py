# cell: p05-causal-attention
class CausalMultiHeadAttention(gpt2.MultiHeadAttention):
    """A "forbidden" mask (True = may NOT attend): the strict upper triangle."""

    def __init__(self, n_embd, n_head, n_positions, dropout=0.1):
        super().__init__(n_embd, n_head, dropout)
        self.n_positions = n_positions
        forbidden = torch.triu(torch.ones(n_positions, n_positions, dtype=torch.bool), diagonal=1)
        self.register_buffer("forbidden", forbidden, persistent=False)

    def forward(self, x, return_weights=False):
        T = x.shape[-2]
        if T > self.n_positions:
            raise ValueError("too many tokens")
        qkv = self.c_attn(x)
        q = self.split_heads(qkv[..., : self.n_embd])
        k = self.split_heads(qkv[..., self.n_embd: 2 * self.n_embd])
        v = self.split_heads(qkv[..., 2 * self.n_embd:])
        scores = torch.einsum("bhqd,bhkd->bhqk", q, k) / math.sqrt(q.shape[-1])
        scores = scores.masked_fill(self.forbidden[:T, :T], float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        out = torch.einsum("bhqk,bhkd->bhqd", self.attention.dropout(weights), v)
        out = self.resid_dropout(self.c_proj(self.merge_heads(out)))
        return (out, weights) if return_weights else out
