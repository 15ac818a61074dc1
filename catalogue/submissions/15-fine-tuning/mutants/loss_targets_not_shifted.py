# cell: p15-loss
# expect: not shifted
def lm_loss(logits, labels, ignore_index=IGNORE_INDEX):
    V = logits.size(-1)
    return F.cross_entropy(logits.view(-1, V), labels.view(-1), ignore_index=ignore_index)
