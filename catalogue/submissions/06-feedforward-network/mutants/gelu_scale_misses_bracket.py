# cell: p06-new-gelu
# expect: sqrt(2/pi) multiplies only x, not the whole bracket
class NewGELU(nn.Module):
    def forward(self, x):
        c = math.sqrt(2 / math.pi)
        return 0.5 * x * (1 + torch.tanh(c * x + 0.044715 * x ** 3))
