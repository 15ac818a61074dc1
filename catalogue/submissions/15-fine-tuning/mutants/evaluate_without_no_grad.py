# cell: p15-evaluate
# expect: gradients enabled
def evaluate(model, batches):
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    for x, y in batches:
        n = int((y[:, 1:] != IGNORE_INDEX).sum())
        total += lm_loss(model(x), y).item() * n
        count += n
    model.train(was_training)
    loss = total / count
    return loss, math.exp(loss)
