# cell: p15-train-step
# expect: not 1 / k
def train_step(model, optimizer, micro_batches, *, max_grad_norm=1.0, scheduler=None):
    model.train()
    optimizer.zero_grad()
    k = len(micro_batches)
    total = 0.0
    for x, y in micro_batches:
        loss = lm_loss(model(x), y) / k
        loss.backward()
        total += loss.item()
    if max_grad_norm is not None:
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
    optimizer.step()
    if scheduler is not None:
        scheduler.step()
    return total
