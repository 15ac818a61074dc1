# cell: p18-broadcast
# expect: own initial weights
@torch.no_grad()
def broadcast_parameters(model, src=0):
    for p in model.parameters():
        tensor = p.detach().clone()
        dist.broadcast(tensor, src=src)
