# cell: p15-evaluate
def evaluate(model, batches):
    mode = model.training
    model.train(False)
    weighted, tokens = 0.0, 0
    try:
        with torch.inference_mode():
            for x, y in batches:
                n = (y[:, 1:] != IGNORE_INDEX).sum().item()
                if n:
                    weighted += n * lm_loss(model(x), y).item()
                    tokens += n
    finally:
        model.train(mode)
    return weighted / tokens, math.exp(weighted / tokens)
