# cell: p13-generate
def _check(temperature, top_k, top_p, do_sample):
    if do_sample and temperature <= 0:
        raise ValueError("temperature must be > 0 to sample, got %r" % (temperature,))
    if top_k is not None and top_k < 1:
        raise ValueError("top_k must be >= 1, got %r" % (top_k,))
    if top_p is not None and not (0.0 < top_p <= 1.0):
        raise ValueError("top_p must be in (0, 1], got %r" % (top_p,))


def sample_next_token(logits, *, do_sample=False, temperature=1.0, top_k=None, top_p=None, generator=None):
    _check(temperature, top_k, top_p, do_sample)
    if not do_sample:
        return logits.max(dim=-1).indices
    x = apply_temperature(logits, temperature)
    x = top_k_filter(x, top_k) if top_k is not None else x
    x = top_p_filter(x, top_p) if top_p is not None else x
    probs = torch.softmax(x.double(), dim=-1)
    cdf = probs.cumsum(-1)
    u = torch.rand(probs.shape[:-1] + (1,), generator=generator, dtype=torch.float64) * cdf[..., -1:]
    idx = torch.searchsorted(cdf.contiguous(), u, right=True).squeeze(-1)
    # never land on a removed token (probability 0) through rounding at the end of the cdf
    last_kept = probs.shape[-1] - 1 - (probs.flip(-1) > 0).int().argmax(-1)
    return torch.minimum(idx, last_kept)


@torch.no_grad()
def generate(model, input_ids, max_new_tokens, *, do_sample=False, temperature=1.0, top_k=None, top_p=None,
             eos_token_id=None, generator=None):
    if max_new_tokens < 0:
        raise ValueError("max_new_tokens must be >= 0, got %r" % (max_new_tokens,))
    _check(temperature, top_k, top_p, do_sample)
    rows = [list(r) for r in input_ids.tolist()]
    done = [False] * len(rows)
    limit = model.config.n_positions
    for _ in range(max_new_tokens):
        context = torch.tensor([r[-limit:] for r in rows], dtype=torch.long, device=input_ids.device)
        nxt = sample_next_token(model(context)[:, -1], do_sample=do_sample, temperature=temperature,
                                top_k=top_k, top_p=top_p, generator=generator).tolist()
        for i, token in enumerate(nxt):
            if done[i]:
                token = eos_token_id
            rows[i].append(token)
            if eos_token_id is not None and token == eos_token_id:
                done[i] = True
        if eos_token_id is not None and all(done):
            break
    return torch.tensor(rows, dtype=torch.long, device=input_ids.device)
