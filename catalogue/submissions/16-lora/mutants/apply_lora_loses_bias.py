# cell: p16-apply-lora
# expect: wraps a new nn.Linear
def apply_lora(model, r, alpha, targets=("c_attn",), dropout=0.0):
    names = [name for name, module in model.named_modules()
             if isinstance(module, nn.Linear) and name.split(".")[-1] in targets]
    for target in targets:
        if not any(name.split(".")[-1] == target for name in names):
            raise ValueError(f"no layer named {target}")
    for p in model.parameters():
        p.requires_grad = False
    for name in names:
        parent_name, child = name.rsplit(".", 1)
        parent = model.get_submodule(parent_name)
        old = getattr(parent, child)
        new = nn.Linear(old.in_features, old.out_features, bias=False)
        new.weight = old.weight
        setattr(parent, child, LoRALinear(new, r, alpha, dropout))
    return model
