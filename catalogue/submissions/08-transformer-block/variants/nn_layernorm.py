# cell: p08-transformer-block
class TransformerBlock(nn.Module):
    """PyTorch's own nn.LayerNorm (same state dict: weight, bias) instead of gpt2.LayerNorm."""

    def __init__(self, n_embd, n_head, n_positions, dropout=0.1, layer_norm_epsilon=1e-5):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd, eps=layer_norm_epsilon)
        self.attn = gpt2.CausalMultiHeadAttention(n_embd, n_head, n_positions, dropout=dropout)
        self.ln_2 = nn.LayerNorm(n_embd, eps=layer_norm_epsilon)
        self.mlp = gpt2.FeedForward(n_embd, n_inner=4 * n_embd, dropout=dropout)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        x = x + self.mlp(self.ln_2(x))
        return x
