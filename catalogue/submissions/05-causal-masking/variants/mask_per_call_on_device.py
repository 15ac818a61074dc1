# cell: p05-causal-attention
class CausalMultiHeadAttention(gpt2.MultiHeadAttention):
    """No buffer: the mask is built in every call, on the input's device."""

    def __init__(self, n_embd, n_head, n_positions, dropout=0.1):
        super().__init__(n_embd, n_head, dropout)
        self.n_positions = n_positions

    def forward(self, x, return_weights=False):
        B, T, C = x.shape
        if T > self.n_positions:
            raise ValueError(f"sequence length {T} > n_positions {self.n_positions}")
        q, k, v = self.c_attn(x).split(self.n_embd, dim=-1)
        q, k, v = self.split_heads(q), self.split_heads(k), self.split_heads(v)
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
        rows = torch.arange(T, device=x.device).view(T, 1)
        cols = torch.arange(T, device=x.device).view(1, T)
        scores = scores.masked_fill(cols > rows, float("-inf"))
        weights = F.softmax(scores, dim=-1)
        out = self.resid_dropout(self.c_proj(self.merge_heads(self.attention.dropout(weights) @ v)))
        return (out, weights) if return_weights else out
