# cell: p07-residual-block
# expect: identity path is missing
class ResidualBlock(nn.Module):
    def __init__(self, n_embd, layer_norm_epsilon=1e-5):
        super().__init__()
        self.ln = LayerNorm(n_embd, eps=layer_norm_epsilon)

    def forward(self, x, sublayer):
        residual = x.detach()  # keep a copy of the input
        return residual + sublayer(self.ln(x))
