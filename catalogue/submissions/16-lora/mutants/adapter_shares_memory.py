# cell: p16-adapter-io
# expect: Save copies: tensor.detach().clone()
def lora_state_dict(model):
    return {name: t for name, t in model.state_dict().items() if "lora_" in name}


def load_lora_state_dict(model, state):
    own = lora_state_dict(model)
    if set(own) != set(state):
        raise ValueError(f"keys differ: {sorted(set(own) ^ set(state))}")
    for k in state:
        if own[k].shape != state[k].shape:
            raise ValueError(f"{k}: shape {tuple(state[k].shape)}, expected {tuple(own[k].shape)}")
    model.load_state_dict(state, strict=False)
    return model
