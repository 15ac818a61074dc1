# cell: p06-new-gelu
# expect: Something overflowed for large |x|
class NewGELU(nn.Module):
    def forward(self, x):
        z = math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)
        e = torch.exp(2 * z)
        return 0.5 * x * (1 + (e - 1) / (e + 1))  # tanh(z) written out
