# cell: p08-transformer-block
# expect: MLP's residual connection is missing
class TransformerBlock(nn.Module):
    def __init__(self, n_embd, n_head, n_positions, dropout=0.1, layer_norm_epsilon=1e-5):
        super().__init__()
        self.ln_1 = gpt2.LayerNorm(n_embd, eps=layer_norm_epsilon)
        self.attn = gpt2.CausalMultiHeadAttention(n_embd, n_head, n_positions, dropout)
        self.ln_2 = gpt2.LayerNorm(n_embd, eps=layer_norm_epsilon)
        self.mlp = gpt2.FeedForward(n_embd, 4 * n_embd, dropout)

    def forward(self, x):
        h = x + self.attn(self.ln_1(x))
        return self.mlp(self.ln_2(h))
