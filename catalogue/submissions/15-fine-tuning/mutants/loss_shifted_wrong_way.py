# cell: p15-loss
# expect: shifted the wrong way
def lm_loss(logits, labels, ignore_index=IGNORE_INDEX):
    V = logits.size(-1)
    return F.cross_entropy(logits[:, 1:].reshape(-1, V), labels[:, :-1].reshape(-1), ignore_index=ignore_index)
