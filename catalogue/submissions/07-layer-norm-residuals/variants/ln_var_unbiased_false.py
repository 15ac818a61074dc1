# cell: p07-layer-norm
class LayerNorm(nn.Module):
    """x.var(unbiased=False); weight first."""

    def __init__(self, n_embd: int, eps: float = 1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n_embd))
        self.bias = nn.Parameter(torch.zeros(n_embd))
        self.eps = eps

    def forward(self, x):
        mu = x.mean(-1, keepdim=True)
        sigma2 = x.var(-1, unbiased=False, keepdim=True)
        x_hat = (x - mu) / (sigma2 + self.eps).sqrt()
        return self.weight * x_hat + self.bias
