# cell: p15-loss
def lm_loss(logits, labels, ignore_index=IGNORE_INDEX):
    log_probs = torch.log_softmax(logits[:, :-1].float(), dim=-1)   # (B, T-1, V)
    targets = labels[:, 1:]
    keep = targets != ignore_index
    picked = log_probs.gather(-1, targets.masked_fill(~keep, 0).unsqueeze(-1)).squeeze(-1)
    return -(picked * keep).sum() / keep.sum()
