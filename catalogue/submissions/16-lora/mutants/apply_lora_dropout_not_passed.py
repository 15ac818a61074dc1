# cell: p16-apply-lora
# expect: pass r, alpha and dropout on to every LoRALinear
def apply_lora(model, r, alpha, targets=("c_attn",), dropout=0.0):
    names = [name for name, module in model.named_modules()
             if isinstance(module, nn.Linear) and name.split(".")[-1] in targets]
    if len(names) == 0:
        raise ValueError(f"no layer named {targets}")
    for p in model.parameters():
        p.requires_grad = False
    for name in names:
        parent_name, child = name.rsplit(".", 1)
        parent = model.get_submodule(parent_name)
        setattr(parent, child, LoRALinear(getattr(parent, child), r, alpha))
    return model
