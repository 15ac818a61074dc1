# cell: p14-causal-mask
# expect: does not see itself
def causal_mask(T_q, T_k, device=None):
    if T_q > T_k:
        raise ValueError(f"T_q={T_q} > T_k={T_k}")
    past = T_k - T_q
    return torch.ones(T_q, T_k, dtype=torch.bool, device=device).tril(diagonal=past - 1) | (
        torch.arange(T_k, device=device)[None, :] < past)
