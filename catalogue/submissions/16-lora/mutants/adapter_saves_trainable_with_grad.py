# cell: p16-adapter-io
# expect: requires grad: save detached tensors
def lora_state_dict(model):
    return {name: p.clone() for name, p in model.named_parameters() if name.endswith(("lora_A", "lora_B"))}


def load_lora_state_dict(model, state):
    own = lora_state_dict(model)
    if set(own) != set(state):
        raise ValueError(f"keys differ: {sorted(set(own) ^ set(state))}")
    for k in state:
        if own[k].shape != state[k].shape:
            raise ValueError(f"{k}: shape {tuple(state[k].shape)}, expected {tuple(own[k].shape)}")
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name in state:
                p.copy_(state[name])
    return model
