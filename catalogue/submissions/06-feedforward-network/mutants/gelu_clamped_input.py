# cell: p06-new-gelu
# expect: the output stops growing, as if x were clamped
class NewGELU(nn.Module):
    def forward(self, x):
        x = x.clamp(-20.0, 20.0)  # "keep x ** 3 from overflowing"
        return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
