# cell: p15-checkpoint
def save_checkpoint(path, model, optimizer, scheduler, step):
    checkpoint = dict(step=step)
    for name, thing in [("model", model), ("optimizer", optimizer), ("scheduler", scheduler)]:
        checkpoint[name] = thing.state_dict()
    checkpoint["torch_rng"] = torch.random.get_rng_state()
    torch.save(checkpoint, path)


def load_checkpoint(path, model, optimizer, scheduler):
    checkpoint = torch.load(path, map_location="cpu", weights_only=False)
    for name, thing in [("model", model), ("optimizer", optimizer), ("scheduler", scheduler)]:
        thing.load_state_dict(checkpoint[name])
    torch.random.set_rng_state(checkpoint["torch_rng"])
    return int(checkpoint["step"])
