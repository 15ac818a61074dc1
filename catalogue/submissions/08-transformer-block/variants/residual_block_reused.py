# cell: p08-transformer-block
class TransformerBlock(nn.Module):
    """Problem 07's pre-norm ResidualBlock, twice; ln_1 and ln_2 are its norms under HuggingFace's names."""

    def __init__(self, n_embd, n_head, n_positions, dropout=0.1, layer_norm_epsilon=1e-5):
        super().__init__()
        self.attn_residual = gpt2.ResidualBlock(n_embd, layer_norm_epsilon)
        self.mlp_residual = gpt2.ResidualBlock(n_embd, layer_norm_epsilon)
        self.ln_1 = self.attn_residual.ln
        self.ln_2 = self.mlp_residual.ln
        self.attn = gpt2.CausalMultiHeadAttention(n_embd, n_head, n_positions, dropout)
        self.mlp = gpt2.FeedForward(n_embd, 4 * n_embd, dropout)

    def forward(self, x):
        x = self.attn_residual(x, self.attn)
        return self.mlp_residual(x, self.mlp)
