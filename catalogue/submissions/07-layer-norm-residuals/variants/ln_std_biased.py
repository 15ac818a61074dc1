# cell: p07-layer-norm
class LayerNorm(nn.Module):
    """The biased std squared back into the variance; x - mean written once."""

    def __init__(self, n_embd, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(n_embd))
        self.bias = nn.Parameter(torch.zeros(n_embd))

    def forward(self, x):
        centred = x - x.mean(-1, keepdim=True)
        std = centred.std(-1, keepdim=True, correction=0)
        return centred / torch.sqrt(std ** 2 + self.eps) * self.weight + self.bias
