# cell: p15-optimizer-groups
# expect: listed twice
# expect: weight tying
def optimizer_groups(model, weight_decay):
    decay, no_decay = [], []
    for module in model.modules():
        if isinstance(module, nn.Linear):
            decay.append(module.weight)
            if module.bias is not None:
                no_decay.append(module.bias)
        elif isinstance(module, nn.Embedding):
            no_decay.append(module.weight)
        elif len(list(module.children())) == 0:
            no_decay.extend(p for p in module.parameters(recurse=False))
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
