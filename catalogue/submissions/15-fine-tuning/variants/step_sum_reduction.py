# cell: p15-train-step
def train_step(model, optimizer, micro_batches, *, max_grad_norm=1.0, scheduler=None):
    model.train()
    for p in model.parameters():
        p.grad = None
    n_targets = sum((y[:, 1:] != IGNORE_INDEX).sum().item() for _, y in micro_batches)
    summed = 0.0
    for x, y in micro_batches:
        logits = model(x)
        loss_sum = F.cross_entropy(logits[:, :-1].flatten(0, 1), y[:, 1:].flatten(), ignore_index=IGNORE_INDEX,
                                   reduction="sum")
        (loss_sum / n_targets).backward()
        summed += loss_sum.item()
    if max_grad_norm:
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=max_grad_norm)
    optimizer.step()
    if scheduler:
        scheduler.step()
    return summed / n_targets
