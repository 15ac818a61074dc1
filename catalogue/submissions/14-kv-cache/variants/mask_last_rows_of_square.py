# cell: p14-causal-mask
def causal_mask(T_q, T_k, device=None):
    if T_q > T_k:
        raise ValueError("more queries than keys: T_q > T_k")
    square = torch.tril(torch.ones(T_k, T_k, dtype=torch.bool, device=device))
    return square[T_k - T_q:]
