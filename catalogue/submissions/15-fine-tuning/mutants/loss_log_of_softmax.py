# cell: p15-loss
# expect: not finite on large logits
def lm_loss(logits, labels, ignore_index=IGNORE_INDEX):
    probs = torch.exp(logits[:, :-1]) / torch.exp(logits[:, :-1]).sum(-1, keepdim=True)
    targets = labels[:, 1:]
    mask = targets != ignore_index
    picked = probs.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return -(torch.log(picked) * mask).sum() / mask.sum()
