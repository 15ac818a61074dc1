# cell: p15-optimizer-groups
# expect: embeddings
# expect: in the wrong group
def optimizer_groups(model, weight_decay):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        if name.endswith("weight") and "ln" not in name and "wte" not in name and "wpe" not in name:
            decay.append(p)
        else:
            no_decay.append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
