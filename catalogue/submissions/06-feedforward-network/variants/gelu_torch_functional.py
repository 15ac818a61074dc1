# cell: p06-new-gelu
class NewGELU(nn.Module):
    """PyTorch's own tanh GELU."""

    def forward(self, x):
        return F.gelu(x, approximate="tanh")
