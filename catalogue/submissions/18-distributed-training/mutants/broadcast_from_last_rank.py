# cell: p18-broadcast
# expect: not on rank 0's weights
# expect: src=0
@torch.no_grad()
def broadcast_parameters(model, src=0):
    last = dist.get_world_size() - 1
    for tensor in [*model.parameters(), *model.buffers()]:
        dist.broadcast(tensor.data, src=last)
