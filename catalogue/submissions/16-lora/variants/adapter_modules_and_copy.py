# cell: p16-adapter-io
def lora_state_dict(model):
    state = {}
    for name, module in model.named_modules():
        if isinstance(module, LoRALinear):
            for part in ("lora_A", "lora_B"):
                state[f"{name}.{part}"] = getattr(module, part).detach().clone()
    return state


def load_lora_state_dict(model, state):
    params = dict(model.named_parameters())
    expected = [name for name in params if name.endswith((".lora_A", ".lora_B"))]
    problems = [f"missing {n}" for n in expected if n not in state]
    problems += [f"unexpected {n}" for n in state if n not in expected]
    problems += [f"{n}: {tuple(state[n].shape)} vs {tuple(params[n].shape)}" for n in expected
                 if n in state and state[n].shape != params[n].shape]
    if problems:
        raise ValueError("adapter does not fit: " + "; ".join(problems))
    with torch.no_grad():
        for name in expected:
            params[name].copy_(state[name])
    return model
