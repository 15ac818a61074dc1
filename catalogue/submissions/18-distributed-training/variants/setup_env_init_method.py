# cell: p18-process-group
def setup_distributed(backend=None, timeout_s=60.0):
    backend = backend or ("nccl" if torch.cuda.is_available() else "gloo")
    local_rank = int(os.environ["LOCAL_RANK"])
    if torch.cuda.is_available() and backend == "nccl":
        torch.cuda.set_device(local_rank)
    # init_method "env://" reads RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT itself
    dist.init_process_group(backend=backend, init_method="env://", timeout=datetime.timedelta(seconds=timeout_s))
    return dist.get_rank(), dist.get_world_size(), local_rank


def cleanup_distributed():
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
