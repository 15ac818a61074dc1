# cell: p16-lora-linear
class LoRALinear(nn.Module):
    """Computes x (dropout-free when it can) through one fused weight; merges through .data."""

    def __init__(self, base: nn.Linear, r: int, alpha: float, dropout: float = 0.0):
        super().__init__()
        if not isinstance(r, int) or isinstance(r, bool):
            raise ValueError(f"r must be an int, got {r!r}")
        if r <= 0:
            raise ValueError(f"r must be positive, got {r}")
        if alpha <= 0:
            raise ValueError(f"alpha must be positive, got {alpha}")
        self.base = base
        self.base.weight.requires_grad_(False)
        if self.base.bias is not None:
            self.base.bias.requires_grad_(False)
        self.r = r
        self.alpha = alpha
        self.scaling = alpha / r
        self.lora_A = nn.Parameter(base.weight.new_empty(r, base.in_features))
        self.lora_B = nn.Parameter(base.weight.new_zeros(base.out_features, r))
        nn.init.kaiming_uniform_(self.lora_A, a=5 ** 0.5)
        self.lora_dropout = nn.Dropout(p=dropout)
        self.merged = False

    def forward(self, x):
        if self.merged:
            return self.base(x)
        if self.training and self.lora_dropout.p > 0:
            return self.base(x) + (self.lora_dropout(x) @ self.lora_A.t()) @ self.lora_B.t() * self.scaling
        weight = self.base.weight + self.scaling * (self.lora_B @ self.lora_A)
        return F.linear(x, weight, self.base.bias)

    def merge(self):
        if self.merged:
            return
        self.base.weight.data += self.scaling * (self.lora_B.data @ self.lora_A.data)
        self.merged = True

    def unmerge(self):
        if self.merged:
            self.base.weight.data -= self.scaling * (self.lora_B.data @ self.lora_A.data)
            self.merged = False
