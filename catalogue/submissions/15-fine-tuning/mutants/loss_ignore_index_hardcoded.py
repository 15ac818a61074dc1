# cell: p15-loss
# expect: hard-code -100
def lm_loss(logits, labels, ignore_index=IGNORE_INDEX):
    # F.cross_entropy skips -100 by default, so the argument seemed unnecessary
    return F.cross_entropy(logits[:, :-1].flatten(0, 1), labels[:, 1:].flatten())
