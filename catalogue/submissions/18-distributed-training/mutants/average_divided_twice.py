# cell: p18-average-gradients
# expect: too small
# expect: twice
@torch.no_grad()
def average_gradients(model):
    world_size = dist.get_world_size()
    for p in model.parameters():
        if p.grad is not None:
            p.grad /= world_size
            dist.all_reduce(p.grad, op=dist.ReduceOp.SUM)
            p.grad /= world_size
