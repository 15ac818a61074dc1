# cell: p18-average-gradients
# expect: too large
# expect: divide by the world size
@torch.no_grad()
def average_gradients(model):
    world_size = dist.get_world_size()
    for p in model.parameters():
        if p.grad is not None:
            dist.all_reduce(p.grad, op=dist.ReduceOp.SUM)
