# cell: p06-new-gelu
# expect: sqrt(2)/pi (≈ 0.450) instead of sqrt(2/pi)
class NewGELU(nn.Module):
    def forward(self, x):
        return 0.5 * x * (1 + torch.tanh(math.sqrt(2) / math.pi * (x + 0.044715 * x ** 3)))
