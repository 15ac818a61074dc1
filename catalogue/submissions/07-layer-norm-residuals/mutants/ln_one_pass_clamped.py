# cell: p07-layer-norm
# expect: one-pass variance
class LayerNorm(nn.Module):
    def __init__(self, n_embd, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(n_embd))
        self.bias = nn.Parameter(torch.zeros(n_embd))

    def forward(self, x):
        mean = x.mean(-1, keepdim=True)
        var = (x.pow(2).mean(-1, keepdim=True) - mean.pow(2)).clamp(min=0.0)  # never negative
        return (x - mean) * torch.rsqrt(var + self.eps) * self.weight + self.bias
