# cell: p15-loss
# expect: padding positions are counted in the mean's denominator
def lm_loss(logits, labels, ignore_index=IGNORE_INDEX):
    targets = labels[:, 1:]
    mask = targets != ignore_index
    losses = F.cross_entropy(logits[:, :-1].transpose(1, 2), targets.clamp(min=0), reduction="none")
    return (losses * mask).mean()
