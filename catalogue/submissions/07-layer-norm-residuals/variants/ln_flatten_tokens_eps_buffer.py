# cell: p07-layer-norm
class LayerNorm(nn.Module):
    """Tokens flattened to rows; eps kept as a non-persistent buffer too; einsum for the scale."""

    def __init__(self, n_embd, eps=1e-5):
        super().__init__()
        self.n_embd = n_embd
        self.eps = eps
        self.register_buffer("eps_tensor", torch.tensor(eps), persistent=False)
        self.weight = nn.Parameter(torch.ones(n_embd))
        self.bias = nn.Parameter(torch.zeros(n_embd))

    def forward(self, x):
        rows = x.reshape(-1, self.n_embd)                       # (N, C)
        mean = rows.sum(dim=1, keepdim=True) / self.n_embd
        deviations = rows - mean
        var = torch.einsum("nc,nc->n", deviations, deviations).unsqueeze(1) / self.n_embd
        out = deviations / torch.sqrt(var + self.eps_tensor) * self.weight + self.bias
        return out.reshape(x.shape)
