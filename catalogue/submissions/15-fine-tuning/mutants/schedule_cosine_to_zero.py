# cell: p15-schedule
# expect: goes down to 0
def lr_at(step, *, max_lr, min_lr, warmup_steps, max_steps):
    if step < warmup_steps:
        return max_lr * (step + 1) / warmup_steps
    progress = min(1.0, (step - warmup_steps) / (max_steps - warmup_steps))
    return max_lr * 0.5 * (1 + math.cos(math.pi * progress))
