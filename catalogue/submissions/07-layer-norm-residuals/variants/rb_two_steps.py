# cell: p07-residual-block
class ResidualBlock(nn.Module):
    """Named intermediate steps; the residual added last."""

    def __init__(self, n_embd, layer_norm_epsilon=1e-5):
        super().__init__()
        self.n_embd = n_embd
        self.layer_norm_epsilon = layer_norm_epsilon
        self.ln = LayerNorm(self.n_embd, eps=self.layer_norm_epsilon)

    def forward(self, x, sublayer):
        residual = x
        h = self.ln(x)
        h = sublayer(h)
        return h + residual
