# cell: p14-causal-mask
def causal_mask(T_q, T_k, device=None):
    if T_q > T_k:
        raise ValueError(f"T_q ({T_q}) must not exceed T_k ({T_k})")
    query_positions = torch.arange(T_k - T_q, T_k, device=device)   # where the new tokens sit
    key_positions = torch.arange(T_k, device=device)
    return key_positions[None, :] <= query_positions[:, None]
