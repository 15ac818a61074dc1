# cell: p06-new-gelu
# expect: the constant 0.044715 is rounded to 0.0447
class NewGELU(nn.Module):
    def forward(self, x):
        return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.0447 * x ** 3)))
