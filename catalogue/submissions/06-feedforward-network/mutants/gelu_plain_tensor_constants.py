# cell: p06-new-gelu
# expect: keeps a tensor in a plain attribute, self.coeffs
class NewGELU(nn.Module):
    def __init__(self):
        super().__init__()
        self.coeffs = torch.tensor([math.sqrt(2 / math.pi), 0.044715])

    def forward(self, x):
        scale, cubic = self.coeffs
        return 0.5 * x * (1 + torch.tanh(scale * (x + cubic * x ** 3)))
