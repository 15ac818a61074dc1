# cell: p06-new-gelu
# expect: that is the exact (erf) GELU
# expect: the exact erf GELU (nn.GELU() or F.gelu(x)) instead of GPT-2's tanh approximation
class NewGELU(nn.Module):
    def forward(self, x):
        return F.gelu(x)
