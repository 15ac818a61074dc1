# cell: p15-schedule
def lr_at(step, *, max_lr, min_lr, warmup_steps, max_steps):
    if step < warmup_steps:
        factor = (step + 1) / warmup_steps
        return factor * max_lr
    progress = min(max(step - warmup_steps, 0) / (max_steps - warmup_steps), 1.0)
    cosine = (1 + math.cos(math.pi * progress)) / 2   # 1 -> 0
    return cosine * max_lr + (1 - cosine) * min_lr
