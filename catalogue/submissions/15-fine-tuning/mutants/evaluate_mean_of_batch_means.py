# cell: p15-evaluate
# expect: mean of the batches' means
def evaluate(model, batches):
    was_training = model.training
    model.eval()
    with torch.no_grad():
        losses = [lm_loss(model(x), y).item() for x, y in batches]
    model.train(was_training)
    loss = sum(losses) / len(losses)
    return loss, math.exp(loss)
