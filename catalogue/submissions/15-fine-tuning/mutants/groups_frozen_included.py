# cell: p15-optimizer-groups
# expect: frozen parameters
def optimizer_groups(model, weight_decay):
    tables = {id(m.weight) for m in model.modules() if isinstance(m, nn.Embedding)}
    params = list(model.parameters())
    decay = [p for p in params if p.dim() >= 2 and id(p) not in tables]
    no_decay = [p for p in params if not (p.dim() >= 2 and id(p) not in tables)]
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
