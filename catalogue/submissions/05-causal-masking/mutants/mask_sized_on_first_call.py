# cell: p05-causal-attention
# expect: changed the module's state (mask: 
class CausalMultiHeadAttention(gpt2.MultiHeadAttention):
    def __init__(self, n_embd, n_head, n_positions, dropout=0.1):
        super().__init__(n_embd, n_head, dropout)
        self.n_positions = n_positions
        self.register_buffer("mask", None, persistent=False)

    def forward(self, x, return_weights=False):
        B, T, C = x.shape
        if T > self.n_positions:
            raise ValueError(f"sequence length {T} is longer than n_positions={self.n_positions}")
        q, k, v = self.c_attn(x).split(self.n_embd, dim=-1)
        q, k, v = self.split_heads(q), self.split_heads(k), self.split_heads(v)
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
        if self.mask is None:
            self.mask = torch.tril(torch.ones(T, T, dtype=torch.bool, device=x.device)).view(1, 1, T, T)
        scores = scores.masked_fill(~self.mask[:, :, :T, :T], float("-inf"))
        weights = F.softmax(scores, dim=-1)
        out = self.attention.dropout(weights) @ v
        out = self.resid_dropout(self.c_proj(self.merge_heads(out)))
        return (out, weights) if return_weights else out
