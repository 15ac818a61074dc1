# cell: p15-optimizer-groups
def optimizer_groups(model, weight_decay):
    seen, decay, no_decay = set(), [], []
    # embeddings first, so that a weight shared with an output layer is claimed as an embedding
    modules = sorted(model.modules(), key=lambda m: not isinstance(m, nn.Embedding))
    for module in modules:
        for p in module.parameters(recurse=False):
            if id(p) in seen or not p.requires_grad:
                continue
            seen.add(id(p))
            if isinstance(module, nn.Embedding) or p.ndim < 2:
                no_decay.append(p)
            else:
                decay.append(p)
    return [dict(params=decay, weight_decay=weight_decay), dict(params=no_decay, weight_decay=0.0)]
