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
        mean_sq = (x * x).mean(-1, keepdim=True)
        var = mean_sq - mean ** 2          # Var[x] = E[x^2] - E[x]^2
        return (x - mean) / torch.sqrt(var + self.eps) * self.weight + self.bias
