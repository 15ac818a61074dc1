# cell: p06-new-gelu
class NewGELU(nn.Module):
    """0.5 (1 + tanh(z)) = 1 / (1 + exp(-2z)): x / (1 + exp(-2z)), safe for large |x| (exp -> inf gives 0)."""

    def forward(self, x):
        z = math.sqrt(2 / math.pi) * (x + 0.044715 * torch.pow(x, 3))
        return x / (1 + torch.exp(-2 * z))
