# cell: p07-layer-norm
# expect: PyTorch's own layer
class LayerNorm(nn.LayerNorm):
    def __init__(self, n_embd, eps=1e-5):
        super().__init__(n_embd, eps=eps)
