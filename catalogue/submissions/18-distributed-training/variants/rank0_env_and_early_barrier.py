# cell: p18-rank0
def _is_rank0():
    return (dist.get_rank() if dist.is_initialized() else int(os.environ.get("RANK", 0))) == 0


def print_rank0(*args, **kwargs):
    if _is_rank0():
        print(*args, **kwargs, flush=True)


def save_checkpoint_rank0(model, optimizer, step, path):
    if not _is_rank0():
        dist.barrier()          # wait for rank 0 to finish writing
        return
    model = getattr(model, "module", model)
    state = {"step": step, "model": model.state_dict(), "optimizer": optimizer.state_dict()}
    tmp = str(path) + ".tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)
    dist.barrier()
