# cell: p16-apply-lora
# expect: should wrap the 12 layers
def apply_lora(model, r, alpha, targets=("c_attn",), dropout=0.0):
    for p in model.parameters():
        p.requires_grad = False
    found = False
    for target in targets:
        for name, module in model.named_modules():
            if isinstance(module, nn.Linear) and name.endswith(target):
                parent_name, child = name.rsplit(".", 1)
                setattr(model.get_submodule(parent_name), child, LoRALinear(module, r, alpha, dropout))
                found = True
                break   # one layer per target
    if not found:
        raise ValueError(f"no layer matches {targets}")
    return model
