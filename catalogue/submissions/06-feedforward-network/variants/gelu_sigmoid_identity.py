# cell: p06-new-gelu
class NewGELU(nn.Module):
    """0.5 (1 + tanh(z)) = sigmoid(2z), so the tanh GELU is x * sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3))."""

    def forward(self, x):
        return x * torch.sigmoid(1.5957691216057308 * x * (1 + 0.044715 * x * x))
