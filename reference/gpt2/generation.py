"""Problem 13. Text generation: greedy decoding, temperature, top-k and top-p (nucleus) sampling.

The filters work on logits of any leading shape ``(..., vocab)`` and return new logits, the
removed tokens set to ``-inf`` (the caller's tensor is left unchanged), so that ``softmax`` of
the result is the filtered, renormalised distribution. They match ``transformers``'
``TemperatureLogitsWarper``, ``TopKLogitsWarper`` and ``TopPLogitsWarper``, and ``generate``
applies them in HuggingFace's order: temperature, then top-k, then top-p.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def _check_temperature(temperature: float) -> None:
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature!r}: the logits are divided by it")


def _check_top_k(top_k: int) -> None:
    if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k <= 0:
        raise ValueError(f"top_k must be a positive number of tokens, got {top_k!r}")


def _check_top_p(top_p: float) -> None:
    if not 0 < top_p <= 1:
        raise ValueError(f"top_p must be in (0, 1], got {top_p!r}: it is a probability mass")


def apply_temperature(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """``logits / temperature``: below 1 sharpens the distribution (towards greedy), above 1
    flattens it (towards uniform). ValueError unless ``temperature > 0``."""
    _check_temperature(temperature)
    return logits / temperature


def top_k_filter(logits: torch.Tensor, top_k: int) -> torch.Tensor:
    """Keep the ``top_k`` largest logits of the last dimension, set the others to ``-inf``.

    Tokens tied with the k-th largest logit are all kept (as ``TopKLogitsWarper`` does), so
    exactly k survive when the logits are distinct. ``top_k`` larger than the vocabulary keeps
    everything. ValueError unless ``top_k`` is a positive int.
    """
    _check_top_k(top_k)
    k = min(top_k, logits.shape[-1])
    kth = torch.topk(logits, k, dim=-1).values[..., -1:]  # (..., 1): the k-th largest
    return logits.masked_fill(logits < kth, float("-inf"))


def top_p_filter(logits: torch.Tensor, top_p: float) -> torch.Tensor:
    """Nucleus filter: keep the smallest set of most likely tokens whose probability reaches
    ``top_p``, set the others to ``-inf``.

    In order of decreasing probability a token is kept when the tokens before it hold less than
    ``top_p``; so the token that crosses ``top_p`` is kept, and the most likely token always is
    (at least one survives). Among tokens of equal probability at the boundary, those earlier in
    the vocabulary are kept first (a stable sort); any choice that gives a smallest set is
    equally right. ``top_p = 1`` keeps every token. ValueError unless ``0 < top_p <= 1``.
    """
    _check_top_p(top_p)
    if top_p >= 1:
        return logits.clone()
    sorted_logits, order = torch.sort(logits, dim=-1, descending=True, stable=True)
    probs = F.softmax(sorted_logits, dim=-1)
    before = torch.cumsum(probs, dim=-1) - probs        # mass of the more likely tokens
    remove_sorted = before >= top_p
    remove_sorted[..., 0] = False                       # the most likely token always stays
    remove = remove_sorted.scatter(-1, order, remove_sorted)  # back to vocabulary order
    return logits.masked_fill(remove, float("-inf"))


def filter_logits(logits: torch.Tensor, *, temperature: float = 1.0, top_k: int | None = None,
                  top_p: float | None = None) -> torch.Tensor:
    """Temperature, then top-k, then top-p (HuggingFace's order); ``None`` skips a filter."""
    logits = apply_temperature(logits, temperature)
    if top_k is not None:
        logits = top_k_filter(logits, top_k)
    if top_p is not None:
        logits = top_p_filter(logits, top_p)
    return logits


def sample_next_token(logits: torch.Tensor, *, do_sample: bool = False, temperature: float = 1.0,
                      top_k: int | None = None, top_p: float | None = None,
                      generator: torch.Generator | None = None) -> torch.Tensor:
    """The next token for each row of ``logits`` (..., vocab) -> token ids (...,), int64.

    Greedy (``do_sample=False``): the argmax; temperature, top_k and top_p do not change it.
    Sampling: a draw from ``softmax`` of the filtered logits (temperature, top-k, top-p), with
    ``generator`` as the only source of randomness. ValueError for temperature <= 0 when
    sampling, top_k <= 0 or top_p outside (0, 1] (the last two in both modes).
    """
    if top_k is not None:
        _check_top_k(top_k)
    if top_p is not None:
        _check_top_p(top_p)
    if not do_sample:
        return logits.argmax(dim=-1)
    probs = F.softmax(filter_logits(logits, temperature=temperature, top_k=top_k, top_p=top_p), dim=-1)
    flat = probs.reshape(-1, probs.shape[-1])
    return torch.multinomial(flat, 1, generator=generator).reshape(probs.shape[:-1])


def _next_token_logits(model, ids: torch.Tensor, past, use_cache: bool):
    """Run ``model`` for the next token: ``(logits of the last position (B, vocab), past)``.

    ``ids`` is the whole sequence so far (B, T). Without the cache: the last ``n_positions``
    tokens, recomputed every step, and ``past`` stays None. With it: a prefill on the (cropped)
    prompt when ``past`` is None, then only the newest token, fed with the cache; once the
    sequence would outgrow ``n_positions`` the cache is dropped and rebuilt on the cropped
    window. The model's cached interface: ``model(ids, past_key_values=past, use_cache=True)``
    returns ``(logits, past)``.
    """
    n_positions = model.config.n_positions
    if not use_cache:
        return model(ids[:, -n_positions:])[:, -1, :], None
    if past is None or ids.shape[1] > n_positions:
        logits, past = model(ids[:, -n_positions:], past_key_values=None, use_cache=True)
    else:
        logits, past = model(ids[:, -1:], past_key_values=past, use_cache=True)
    return logits[:, -1, :], past


@torch.no_grad()
def generate(model, input_ids: torch.Tensor, max_new_tokens: int, *, do_sample: bool = False,
             temperature: float = 1.0, top_k: int | None = None, top_p: float | None = None,
             eos_token_id: int | None = None, generator: torch.Generator | None = None,
             use_cache: bool = False) -> torch.Tensor:
    """Extend ``input_ids`` (B, T) by up to ``max_new_tokens`` tokens -> (B, T + n), n <= max_new_tokens.

    Each step runs ``model`` (``model(ids) -> logits (B, T, vocab)``, with ``model.config.n_positions``)
    on the last ``n_positions`` tokens only (the context is cropped) and picks the next token
    with ``sample_next_token`` (greedy by default; see there for the sampling options).

    ``eos_token_id``: a row that generates it is finished, and from then on it is padded with
    ``eos_token_id``; generation stops early once every row is finished (an eos already in the
    prompt does not count). ``use_cache``: problem 14's KV cache, the same tokens faster.

    ValueError for max_new_tokens < 0, and for the arguments ``sample_next_token`` rejects, before
    the model runs. The input is not changed; the result is a new tensor.
    """
    if max_new_tokens < 0:
        raise ValueError(f"max_new_tokens must be >= 0, got {max_new_tokens!r}")
    if do_sample:
        _check_temperature(temperature)
    if top_k is not None:
        _check_top_k(top_k)
    if top_p is not None:
        _check_top_p(top_p)
    ids = input_ids.clone()
    finished = torch.zeros(ids.shape[0], dtype=torch.bool, device=ids.device)
    past = None
    for _ in range(max_new_tokens):
        logits, past = _next_token_logits(model, ids, past, use_cache)
        next_id = sample_next_token(logits, do_sample=do_sample, temperature=temperature, top_k=top_k,
                                    top_p=top_p, generator=generator)
        if eos_token_id is not None:
            next_id = next_id.masked_fill(finished, eos_token_id)
            finished = finished | (next_id == eos_token_id)
        ids = torch.cat([ids, next_id[:, None]], dim=1)
        if eos_token_id is not None and bool(finished.all()):
            break
    return ids
