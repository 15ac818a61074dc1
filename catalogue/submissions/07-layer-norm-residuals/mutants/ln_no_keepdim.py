# cell: p07-layer-norm
# expect: keepdim
class LayerNorm(nn.Module):
    def __init__(self, n_embd, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(n_embd))
        self.bias = nn.Parameter(torch.zeros(n_embd))

    def forward(self, x):
        mean = x.mean(-1)
        var = x.var(-1, unbiased=False)
        return (x - mean) / torch.sqrt(var + self.eps) * self.weight + self.bias
