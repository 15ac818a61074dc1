# cell: p13-generate
# expect: max_new_tokens
def sample_next_token(logits: torch.Tensor, *, do_sample: bool = False, temperature: float = 1.0,
                      top_k: int | None = None, top_p: float | None = None,
                      generator: torch.Generator | None = None) -> torch.Tensor:
    """Choose the next token of every row.

    Args:
        logits: (..., V) next-token logits, any leading shape.
        do_sample: False: greedy, the argmax (temperature, top_k and top_p do not change it).
            True: a random draw from ``softmax`` of the filtered logits: ``apply_temperature``,
            then ``top_k_filter`` (if top_k is not None), then ``top_p_filter`` (if top_p is not None).
        generator: the ``torch.Generator`` to draw with; the only source of randomness.

    Returns:
        Token ids, int64, shape ``logits.shape[:-1]``.

    Raises:
        ValueError: temperature <= 0 when sampling; top_k <= 0 or top_p outside (0, 1] (in both modes).
    """
    if top_k is not None and top_k <= 0:
        raise ValueError(f"top_k must be a positive number of tokens, got {top_k!r}")
    if top_p is not None and not 0 < top_p <= 1:
        raise ValueError(f"top_p must be in (0, 1], got {top_p!r}")
    if not do_sample:
        return logits.argmax(dim=-1)
    logits = apply_temperature(logits, temperature)
    if top_k is not None:
        logits = top_k_filter(logits, top_k)
    if top_p is not None:
        logits = top_p_filter(logits, top_p)
    probs = F.softmax(logits, dim=-1).reshape(-1, logits.shape[-1])  # multinomial wants (rows, V)
    return torch.multinomial(probs, 1, generator=generator).reshape(logits.shape[:-1])


@torch.no_grad()
def generate(model, input_ids: torch.Tensor, max_new_tokens: int, *, do_sample: bool = False,
             temperature: float = 1.0, top_k: int | None = None, top_p: float | None = None,
             eos_token_id: int | None = None, generator: torch.Generator | None = None) -> torch.Tensor:
    """Extend every prompt by up to ``max_new_tokens`` tokens.

    Args:
        model: a GPT-2: ``model(ids)`` returns logits (B, T, V), and ``model.config.n_positions`` is
            the longest context it accepts. Each step runs it on the last ``n_positions`` tokens only.
        input_ids: (B, T) int64 prompts; not changed.
        max_new_tokens: how many tokens to add at most (>= 0).
        do_sample, temperature, top_k, top_p, generator: how each token is chosen, as in
            ``sample_next_token``.
        eos_token_id: if given, a row that generates it is finished and is padded with it from then
            on; generation stops early once every row is finished (an eos in the prompt does not count).

    Returns:
        (B, T + n) int64: the prompts followed by n <= max_new_tokens new tokens.

    Raises:
        ValueError: max_new_tokens < 0, temperature <= 0 when sampling, top_k <= 0, top_p outside
            (0, 1], before the model runs; each message names the argument and shows its value.
    """
    if do_sample and not temperature > 0:
        raise ValueError(f"temperature must be positive when sampling, got {temperature!r}")
    if top_k is not None and top_k <= 0:
        raise ValueError(f"top_k must be a positive number of tokens, got {top_k!r}")
    if top_p is not None and not 0 < top_p <= 1:
        raise ValueError(f"top_p must be in (0, 1], got {top_p!r}")
    n_positions = model.config.n_positions
    ids = input_ids
    finished = torch.zeros(ids.shape[0], dtype=torch.bool, device=ids.device)
    for _ in range(max_new_tokens):
        logits = model(ids[:, -n_positions:])[:, -1, :]    # (B, V): the last position only
        next_id = sample_next_token(logits, do_sample=do_sample, temperature=temperature, top_k=top_k,
                                    top_p=top_p, generator=generator)
        if eos_token_id is not None:
            next_id = next_id.masked_fill(finished, eos_token_id)  # finished rows get padding
            finished = finished | (next_id == eos_token_id)
        ids = torch.cat([ids, next_id[:, None]], dim=1)
        if eos_token_id is not None and finished.all():
            break
    return ids
