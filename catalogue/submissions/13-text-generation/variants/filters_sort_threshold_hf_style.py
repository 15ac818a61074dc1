# cell: p13-filters
def apply_temperature(logits, temperature):
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    return torch.div(logits, temperature)


def top_k_filter(logits, top_k):
    if top_k <= 0:
        raise ValueError(f"top_k must be >= 1, got {top_k}")
    k = min(top_k, logits.size(-1))
    sorted_logits = torch.sort(logits, dim=-1, descending=True).values
    threshold = sorted_logits[..., k - 1].unsqueeze(-1)
    return torch.where(logits < threshold, torch.full_like(logits, float("-inf")), logits)


def top_p_filter(logits, top_p):
    # HuggingFace's way: ascending order, remove the tail holding at most 1 - p
    if top_p <= 0 or top_p > 1:
        raise ValueError(f"top_p must lie in (0, 1], got {top_p}")
    sorted_logits, sorted_indices = torch.sort(logits, descending=False, dim=-1)
    cumulative = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
    remove_sorted = cumulative <= (1 - top_p)
    remove_sorted[..., -1:] = False
    remove = torch.zeros_like(remove_sorted).scatter(-1, sorted_indices, remove_sorted)
    return logits.masked_fill(remove, -float("inf"))
