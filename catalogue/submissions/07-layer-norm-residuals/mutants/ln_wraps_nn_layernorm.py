# cell: p07-layer-norm
# expect: holds a library normalization layer
class LayerNorm(nn.Module):
    def __init__(self, n_embd, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.ln = nn.LayerNorm(n_embd, eps=eps)

    def forward(self, x):
        return self.ln(x)
