# cell: p13-filters
import math


def apply_temperature(logits, temperature):
    if not (isinstance(temperature, (int, float)) and temperature > 0):
        raise ValueError("temperature must be a positive number, got " + repr(temperature))
    return logits * (1.0 / temperature)


def top_k_filter(logits, top_k):
    if top_k < 1:
        raise ValueError("top_k must be at least 1, got " + repr(top_k))
    if top_k >= logits.shape[-1]:
        return logits.clone()
    values, _ = logits.topk(top_k, dim=-1, largest=True, sorted=True)
    kth = values.narrow(-1, top_k - 1, 1)
    out = logits.clone()
    out[out < kth] = -math.inf
    return out


def top_p_filter(logits, top_p):
    if not 0 < top_p <= 1:
        raise ValueError("top_p must be in (0, 1], got " + repr(top_p))
    probs = torch.softmax(logits, dim=-1)
    sorted_probs, order = probs.sort(dim=-1, descending=True)
    cumulative = sorted_probs.cumsum(dim=-1)
    # how many tokens it takes to reach top_p: the first position where the cumulative sum >= p
    target = torch.full(cumulative.shape[:-1] + (1,), float(top_p), dtype=cumulative.dtype)
    n_keep = torch.searchsorted(cumulative.contiguous(), target, right=False) + 1
    n_keep = n_keep.clamp(max=logits.shape[-1])
    ranks = torch.arange(logits.shape[-1], device=logits.device).expand_as(cumulative)
    keep_sorted = ranks < n_keep
    keep = torch.empty_like(keep_sorted).scatter_(-1, order, keep_sorted)
    return torch.where(keep, logits, torch.tensor(-math.inf, dtype=logits.dtype, device=logits.device))
