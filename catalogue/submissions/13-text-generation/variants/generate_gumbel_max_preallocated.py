# cell: p13-generate
def sample_next_token(logits, *, do_sample=False, temperature=1.0, top_k=None, top_p=None, generator=None):
    if top_k is not None and top_k <= 0:
        raise ValueError(f"top_k={top_k} must be positive")
    if top_p is not None and (top_p <= 0 or top_p > 1):
        raise ValueError(f"top_p={top_p} must be in (0, 1]")
    if not do_sample:
        return torch.argmax(logits, dim=-1)
    scores = apply_temperature(logits, temperature)
    if top_k is not None:
        scores = top_k_filter(scores, top_k)
    if top_p is not None:
        scores = top_p_filter(scores, top_p)
    # Gumbel-max trick: argmax(scores + Gumbel noise) is a draw from softmax(scores)
    u = torch.rand(scores.shape, generator=generator, dtype=torch.float64, device=scores.device)
    gumbel = -torch.log(-torch.log(u.clamp(1e-300, 1.0 - 1e-16)))
    return torch.argmax(scores.double() + gumbel, dim=-1)


def generate(model, input_ids, max_new_tokens, *, do_sample=False, temperature=1.0, top_k=None, top_p=None,
             eos_token_id=None, generator=None):
    if max_new_tokens < 0:
        raise ValueError(f"max_new_tokens={max_new_tokens} must be >= 0")
    if do_sample and temperature <= 0:
        raise ValueError(f"temperature={temperature} must be > 0 when sampling")
    if top_k is not None and top_k <= 0:
        raise ValueError(f"top_k={top_k} must be positive")
    if top_p is not None and not (0 < top_p <= 1):
        raise ValueError(f"top_p={top_p} must be in (0, 1]")
    B, T = input_ids.shape
    out = torch.empty(B, T + max_new_tokens, dtype=input_ids.dtype, device=input_ids.device)
    out[:, :T] = input_ids
    alive = torch.ones(B, dtype=torch.bool, device=input_ids.device)
    length = T
    with torch.no_grad():
        while length < T + max_new_tokens:
            window = out[:, max(0, length - model.config.n_positions):length]
            nxt = sample_next_token(model(window)[:, -1, :], do_sample=do_sample, temperature=temperature,
                                    top_k=top_k, top_p=top_p, generator=generator)
            if eos_token_id is not None:
                nxt = torch.where(alive, nxt, torch.full_like(nxt, eos_token_id))
                alive = alive & (nxt != eos_token_id)
            out[:, length] = nxt
            length += 1
            if eos_token_id is not None and not alive.any():
                break
    return out[:, :length].clone()
