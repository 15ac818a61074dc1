# cell: p07-layer-norm
class LayerNorm(nn.Module):
    """Computed in float32 whatever the input dtype (a mixed-precision habit), cast back at the end."""

    def __init__(self, n_embd, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(n_embd))
        self.bias = nn.Parameter(torch.zeros(n_embd))

    def forward(self, x):
        h = x.float()
        mean = h.mean(dim=-1, keepdim=True)
        var = (h - mean).pow(2).mean(dim=-1, keepdim=True)
        h = (h - mean) * torch.rsqrt(var + self.eps)
        return (h * self.weight.float() + self.bias.float()).to(x.dtype)
