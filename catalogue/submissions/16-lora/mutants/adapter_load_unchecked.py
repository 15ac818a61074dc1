# cell: p16-adapter-io
# expect: should raise ValueError
def lora_state_dict(model):
    return {name: t.detach().clone() for name, t in model.state_dict().items()
            if name.endswith("lora_A") or name.endswith("lora_B")}


def load_lora_state_dict(model, state):
    model.load_state_dict(state, strict=False)
    return model
