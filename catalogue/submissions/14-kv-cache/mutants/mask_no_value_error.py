# cell: p14-causal-mask
# expect: ValueError
def causal_mask(T_q, T_k, device=None):
    return torch.ones(T_q, T_k, dtype=torch.bool, device=device).tril(diagonal=T_k - T_q)
