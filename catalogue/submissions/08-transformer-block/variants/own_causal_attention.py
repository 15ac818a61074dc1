# cell: p08-transformer-block
class CausalMultiHeadAttention(gpt2.MultiHeadAttention):
    """My causal attention from problem 05, pasted here."""

    def __init__(self, n_embd, n_head, n_positions, dropout=0.1):
        super().__init__(n_embd, n_head, dropout)
        self.n_positions = n_positions
        causal = torch.tril(torch.ones(n_positions, n_positions, dtype=torch.bool))
        self.register_buffer("mask", causal.view(1, 1, n_positions, n_positions), persistent=False)

    def forward(self, x, return_weights=False):
        B, T, C = x.shape
        if T > self.n_positions:
            raise ValueError(f"sequence length {T} is longer than n_positions={self.n_positions}")
        q, k, v = self.c_attn(x).split(self.n_embd, dim=-1)
        q, k, v = self.split_heads(q), self.split_heads(k), self.split_heads(v)
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
        scores = scores.masked_fill(~self.mask[:, :, :T, :T], float("-inf"))
        weights = F.softmax(scores, dim=-1)
        out = self.attention.dropout(weights) @ v
        out = self.resid_dropout(self.c_proj(self.merge_heads(out)))
        return (out, weights) if return_weights else out


class TransformerBlock(nn.Module):
    def __init__(self, n_embd, n_head, n_positions, dropout=0.1, layer_norm_epsilon=1e-5):
        super().__init__()
        self.ln_1 = gpt2.LayerNorm(n_embd, eps=layer_norm_epsilon)
        self.attn = CausalMultiHeadAttention(n_embd, n_head, n_positions, dropout)
        self.ln_2 = gpt2.LayerNorm(n_embd, eps=layer_norm_epsilon)
        self.mlp = gpt2.FeedForward(n_embd, 4 * n_embd, dropout)

    def forward(self, x):
        h = torch.add(x, self.attn(self.ln_1(x)))
        return torch.add(h, self.mlp(self.ln_2(h)))
