# cell: p18-broadcast
def broadcast_parameters(model, src=0):
    # state_dict() tensors share storage with the parameters and buffers
    with torch.no_grad():
        for tensor in model.state_dict(keep_vars=False).values():
            dist.broadcast(tensor, src)
