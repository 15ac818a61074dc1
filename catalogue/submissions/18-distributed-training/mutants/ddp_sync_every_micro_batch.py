# cell: p18-train-step-ddp
# expect: no_sync
def train_step_ddp(model, micro_batches, optimizer, loss_fn=F.cross_entropy):
    k = len(micro_batches)
    total = 0.0
    for i, (inputs, targets) in enumerate(micro_batches):
        loss = loss_fn(model(inputs), targets)
        (loss / k).backward()
        total += loss.item()
    optimizer.step()
    optimizer.zero_grad()
    return total / k
