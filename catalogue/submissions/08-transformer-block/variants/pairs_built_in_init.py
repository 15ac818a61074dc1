# cell: p08-transformer-block
class TransformerBlock(nn.Module):
    """The (norm, sublayer) pairs listed once in __init__, and a loop over them in forward."""

    def __init__(self, n_embd, n_head, n_positions, dropout=0.1, layer_norm_epsilon=1e-5):
        super().__init__()
        self.ln_1 = gpt2.LayerNorm(n_embd, eps=layer_norm_epsilon)
        self.attn = gpt2.CausalMultiHeadAttention(n_embd, n_head, n_positions, dropout)
        self.ln_2 = gpt2.LayerNorm(n_embd, eps=layer_norm_epsilon)
        self.mlp = gpt2.FeedForward(n_embd, 4 * n_embd, dropout)
        self.sublayers = [(self.ln_1, self.attn), (self.ln_2, self.mlp)]  # a plain list: no new parameters

    def forward(self, x):
        for norm, sublayer in self.sublayers:
            x = x + sublayer(norm(x))
        return x
