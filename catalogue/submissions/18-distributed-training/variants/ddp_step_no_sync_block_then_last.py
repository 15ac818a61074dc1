# cell: p18-train-step-ddp
def train_step_ddp(model, micro_batches, optimizer, loss_fn=F.cross_entropy):
    losses = []
    *first, last = micro_batches
    with model.no_sync():
        for inputs, targets in first:
            loss = loss_fn(model(inputs), targets)
            (loss / len(micro_batches)).backward()
            losses.append(loss.detach())
    inputs, targets = last
    loss = loss_fn(model(inputs), targets)
    (loss / len(micro_batches)).backward()
    losses.append(loss.detach())
    optimizer.step()
    optimizer.zero_grad(set_to_none=False)
    return torch.stack(losses).mean().item()
