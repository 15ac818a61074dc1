# cell: p06-new-gelu
# expect: changed its input tensor in place
class NewGELU(nn.Module):
    def forward(self, x):
        gate = 0.5 * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
        return x.mul_(gate)  # saves memory... but overwrites the caller's tensor
