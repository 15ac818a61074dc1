# cell: p18-broadcast
# expect: buffers
@torch.no_grad()
def broadcast_parameters(model, src=0):
    for p in model.parameters():
        dist.broadcast(p.data, src=src)
