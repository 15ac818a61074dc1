# cell: p07-layer-norm
class LayerNorm(nn.Module):
    """The statistics in float64, the result cast back to the input's dtype."""

    def __init__(self, n_embd, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.register_parameter("weight", nn.Parameter(torch.ones(n_embd)))
        self.register_parameter("bias", nn.Parameter(torch.zeros(n_embd)))

    def forward(self, x):
        wide = x.double()
        centred = wide - wide.mean(dim=-1, keepdim=True)
        variance = centred.square().mean(dim=-1, keepdim=True)
        x_hat = (centred / torch.sqrt(variance + self.eps)).to(x.dtype)
        return x_hat * self.weight + self.bias
