# cell: p16-lora-linear
class LoRALinear(nn.Module):
    def __init__(self, base, r, alpha, dropout=0.0):
        super().__init__()
        if type(r) is not int or r < 1:
            raise ValueError(f"r must be a positive int, got {r!r}")
        if not alpha > 0:
            raise ValueError(f"alpha must be > 0, got {alpha!r}")
        base.requires_grad_(False)
        self.base = base
        self.r, self.alpha = r, alpha
        self.scaling = float(alpha) / r
        factory = dict(dtype=base.weight.dtype, device=base.weight.device)
        bound = 1 / math.sqrt(base.in_features)   # what kaiming_uniform_(a=sqrt(5)) draws
        self.lora_A = nn.Parameter(torch.empty(r, base.in_features, **factory).uniform_(-bound, bound))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, r, **factory))
        self.lora_dropout = nn.Identity() if dropout == 0 else nn.Dropout(dropout)
        self.merged = False

    def forward(self, x):
        out = F.linear(x, self.base.weight, self.base.bias)
        if self.merged:
            return out
        h = F.dropout(x, self.lora_dropout.p, self.training) if isinstance(self.lora_dropout, nn.Dropout) else x
        down = torch.einsum("...i,ri->...r", h, self.lora_A)
        return out + self.scaling * torch.einsum("...r,or->...o", down, self.lora_B)

    def _delta(self):
        return torch.einsum("or,ri->oi", self.lora_B, self.lora_A) * self.scaling

    @torch.no_grad()
    def merge(self):
        if not self.merged:
            self.base.weight.add_(self._delta())
            self.merged = True

    @torch.no_grad()
    def unmerge(self):
        if self.merged:
            self.base.weight.sub_(self._delta())
            self.merged = False
