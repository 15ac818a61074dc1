# cell: p18-rank0
# expect: before rank 0 had finished writing
# expect: barrier
def print_rank0(*args, **kwargs):
    if not dist.is_initialized() or dist.get_rank() == 0:
        print(*args, **kwargs)


def save_checkpoint_rank0(model, optimizer, step, path):
    if dist.get_rank() == 0:
        plain = model.module if isinstance(model, DDP) else model
        torch.save({"model": plain.state_dict(), "optimizer": optimizer.state_dict(), "step": step}, path)
