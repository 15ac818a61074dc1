# cell: p13-filters
# expect: top_k_filter
def apply_temperature(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """Divide the logits by the temperature.

    Args:
        logits: (..., V) float tensor, any leading shape.
        temperature: > 0. Below 1 sharpens the distribution (towards greedy), above 1 flattens it.

    Returns:
        A new tensor ``logits / temperature``, same shape; the input is not changed.

    Raises:
        ValueError: if ``temperature <= 0``; the message names ``temperature`` and shows its value.
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature!r}")
    return logits / temperature


def top_k_filter(logits: torch.Tensor, top_k: int) -> torch.Tensor:
    """Keep the ``top_k`` largest logits of the last dimension, set the others to ``-inf``.

    Args:
        logits: (..., V) float tensor, any leading shape (each row is filtered on its own).
        top_k: a positive int. Tokens tied with the k-th largest logit are all kept, so exactly
            ``top_k`` survive when the logits are distinct; ``top_k >= V`` keeps every token.

    Returns:
        A new tensor, same shape: kept logits unchanged, the others ``float("-inf")``.

    Raises:
        ValueError: if ``top_k <= 0``; the message names ``top_k`` and shows its value.
    """
    if top_k <= 0:
        raise ValueError(f"top_k must be a positive number of tokens, got {top_k!r}")
    k = min(top_k, logits.shape[-1])
    kth = torch.topk(logits, k, dim=-1).values[:, -1:]  # (..., 1): the k-th largest of each row
    return logits.masked_fill(logits < kth, float("-inf"))


def top_p_filter(logits: torch.Tensor, top_p: float) -> torch.Tensor:
    """Nucleus filter: keep the smallest set of most likely tokens whose probability reaches ``top_p``.

    In order of decreasing probability, a token is kept when the tokens before it hold less than
    ``top_p``: the token that crosses ``top_p`` is kept, and so is the most likely token, always.
    Among equally likely tokens at the boundary any choice giving a smallest set is right.

    Args:
        logits: (..., V) float tensor, any leading shape (each row is filtered on its own); it may
            already hold ``-inf`` (from top-k).
        top_p: in (0, 1]; 1 keeps every token.

    Returns:
        A new tensor, same shape: kept logits unchanged, the others ``float("-inf")``.

    Raises:
        ValueError: if ``top_p`` is outside (0, 1]; the message names ``top_p`` and shows its value.
    """
    if not 0 < top_p <= 1:
        raise ValueError(f"top_p must be in (0, 1], got {top_p!r}")
    sorted_logits, order = torch.sort(logits, dim=-1, descending=True)
    probs = F.softmax(sorted_logits, dim=-1)
    before = torch.cumsum(probs, dim=-1) - probs            # probability of the more likely tokens
    remove_sorted = before >= top_p
    remove_sorted[..., 0] = False                           # the most likely token always stays
    remove = remove_sorted.scatter(-1, order, remove_sorted)  # back to vocabulary order
    return logits.masked_fill(remove, float("-inf"))
