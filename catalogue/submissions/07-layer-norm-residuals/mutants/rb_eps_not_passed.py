# cell: p07-residual-block
# expect: layer_norm_epsilon is not passed on
class ResidualBlock(nn.Module):
    def __init__(self, n_embd, layer_norm_epsilon=1e-5):
        super().__init__()
        self.ln = LayerNorm(n_embd)

    def forward(self, x, sublayer):
        return x + sublayer(self.ln(x))
