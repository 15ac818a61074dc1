# cell: p16-apply-lora
def apply_lora(model, r, alpha, targets=("c_attn",), dropout=0.0):
    if isinstance(targets, str):
        targets = [targets]
    for param in model.parameters():
        param.requires_grad_(False)
    wrapped = set()

    def visit(module):
        for child_name, child in list(module.named_children()):
            if isinstance(child, nn.Linear) and child_name in targets:
                setattr(module, child_name, LoRALinear(child, r, alpha, dropout))
                wrapped.add(child_name)
            else:
                visit(child)

    visit(model)
    missing = [t for t in targets if t not in wrapped]
    if missing:
        raise ValueError(f"these targets match no nn.Linear: {missing}")
    for name, param in model.named_parameters():
        param.requires_grad_("lora_" in name.split(".")[-1])
    return model
