# cell: p16-lora-linear
# expect: dropout must be off in eval mode
class LoRALinear(nn.Module):
    def __init__(self, base, r, alpha, dropout=0.0):
        super().__init__()
        if isinstance(r, bool) or not isinstance(r, int) or r <= 0:
            raise ValueError(f"r must be a positive integer, got {r!r}")
        if alpha <= 0:
            raise ValueError(f"alpha must be positive, got {alpha!r}")
        self.base = base
        for p in base.parameters():
            p.requires_grad = False
        self.r = r
        self.alpha = alpha
        self.scaling = alpha / r
        w = base.weight
        self.lora_A = nn.Parameter(torch.empty(r, base.in_features, dtype=w.dtype, device=w.device))
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, r, dtype=w.dtype, device=w.device))
        self.lora_dropout = nn.Dropout(dropout)
        self.merged = False

    def forward(self, x):
        result = self.base(x)
        if not self.merged:
            result = result + F.dropout(x, self.lora_dropout.p) @ self.lora_A.T @ self.lora_B.T * self.scaling
        return result

    def merge(self):
        if self.merged:
            return
        with torch.no_grad():
            self.base.weight += self.scaling * (self.lora_B @ self.lora_A)
        self.merged = True

    def unmerge(self):
        if not self.merged:
            return
        with torch.no_grad():
            self.base.weight -= self.scaling * (self.lora_B @ self.lora_A)
        self.merged = False
