# cell: p18-process-group
# expect: returned
# expect: (rank, world_size, local_rank)
def setup_distributed(backend=None, timeout_s=60.0):
    rank, world_size = int(os.environ['RANK']), int(os.environ["WORLD_SIZE"])
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if backend is None:
        backend = "nccl" if torch.cuda.is_available() else "gloo"
    if backend == "nccl":
        torch.cuda.set_device(local_rank)
    dist.init_process_group(backend, rank=rank, world_size=world_size,
                            timeout=datetime.timedelta(seconds=timeout_s))
    return world_size, rank, local_rank


def cleanup_distributed():
    if dist.is_initialized():
        dist.destroy_process_group()
