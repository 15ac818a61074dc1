# cell: p07-residual-block
# expect: in place
class ResidualBlock(nn.Module):
    def __init__(self, n_embd, layer_norm_epsilon=1e-5):
        super().__init__()
        self.ln = LayerNorm(n_embd, eps=layer_norm_epsilon)

    def forward(self, x, sublayer):
        x += sublayer(self.ln(x))
        return x
