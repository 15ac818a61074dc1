# cell: p07-residual-block
class ResidualBlock(nn.Module):
    """PyTorch's nn.LayerNorm as the block's norm (only the LayerNorm class must be written by hand)."""

    def __init__(self, n_embd, layer_norm_epsilon=1e-5):
        super().__init__()
        self.ln = nn.LayerNorm(n_embd, eps=layer_norm_epsilon)

    def forward(self, x, sublayer):
        return x + sublayer(self.ln(x))
