# cell: p06-new-gelu
# expect: Check the factor 0.5
# expect: the factor 0.5 is missing
class NewGELU(nn.Module):
    def forward(self, x):
        return x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
