# cell: p18-train-step-ddp
# expect: differ from the hand-averaged
# expect: Divide each micro-batch's loss
def train_step_ddp(model, micro_batches, optimizer, loss_fn=F.cross_entropy):
    k = len(micro_batches)
    total = 0.0
    for i, (inputs, targets) in enumerate(micro_batches):
        context = model.no_sync() if i < k - 1 else contextlib.nullcontext()
        with context:
            loss = loss_fn(model(inputs), targets)
            loss.backward()
        total += loss.item()
    optimizer.step()
    optimizer.zero_grad()
    return total / k
