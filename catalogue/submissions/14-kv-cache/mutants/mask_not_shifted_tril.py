# cell: p14-causal-mask
# expect: not shifted for the cache
def causal_mask(T_q, T_k, device=None):
    if T_q > T_k:
        raise ValueError(f"T_q={T_q} > T_k={T_k}")
    return torch.tril(torch.ones(T_q, T_k, dtype=torch.bool, device=device))
