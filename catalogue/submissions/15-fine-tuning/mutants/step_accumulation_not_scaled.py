# cell: p15-train-step
# expect: times the big batch's
def train_step(model, optimizer, micro_batches, *, max_grad_norm=1.0, scheduler=None):
    model.train()
    optimizer.zero_grad()
    losses = []
    for x, y in micro_batches:
        loss = lm_loss(model(x), y)
        loss.backward()
        losses.append(loss.item())
    if max_grad_norm is not None:
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
    optimizer.step()
    if scheduler is not None:
        scheduler.step()
    return sum(losses) / len(losses)
