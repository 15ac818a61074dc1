# cell: p18-rank0
# expect: only rank 0 may print
def print_rank0(*args, **kwargs):
    print(*args, **kwargs)


def save_checkpoint_rank0(model, optimizer, step, path):
    if dist.get_rank() == 0:
        plain = model.module if isinstance(model, DDP) else model
        torch.save({"model": plain.state_dict(), "optimizer": optimizer.state_dict(), "step": step}, path)
    dist.barrier()
