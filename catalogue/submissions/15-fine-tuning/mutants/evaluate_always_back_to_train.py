# cell: p15-evaluate
# expect: restore the mode it came in
def evaluate(model, batches):
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for x, y in batches:
            n = int((y[:, 1:] != IGNORE_INDEX).sum())
            total += lm_loss(model(x), y).item() * n
            count += n
    model.train()
    loss = total / count
    return loss, math.exp(loss)
