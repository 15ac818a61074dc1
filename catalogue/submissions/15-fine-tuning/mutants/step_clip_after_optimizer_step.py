# cell: p15-train-step
# expect: too late
def train_step(model, optimizer, micro_batches, *, max_grad_norm=1.0, scheduler=None):
    model.train()
    optimizer.zero_grad()
    n = [int((y[:, 1:] != IGNORE_INDEX).sum()) for _, y in micro_batches]
    total = 0.0
    for (x, y), n_i in zip(micro_batches, n):
        loss = lm_loss(model(x), y) * n_i / sum(n)
        loss.backward()
        total += loss.item()
    optimizer.step()
    if max_grad_norm is not None:
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
    if scheduler is not None:
        scheduler.step()
    return total
