# cell: p16-adapter-io
# expect: that are not the adapter's
def lora_state_dict(model):
    return {name: t.detach().clone() for name, t in model.state_dict().items()}


def load_lora_state_dict(model, state):
    own = lora_state_dict(model)
    if set(own) != set(state) or any(own[k].shape != state[k].shape for k in state):
        raise ValueError("the adapter does not fit the model")
    model.load_state_dict(state, strict=False)
    return model
