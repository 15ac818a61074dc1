"""The reference GPT-2, one building block per course problem.

Plain PyTorch modules, small enough to read top to bottom. Parameter names follow
HuggingFace's GPT-2 (``wte``, ``wpe``, ``ln_1``, ``attn.c_attn``, ``attn.c_proj``, ``ln_2``,
``mlp.c_fc``, ``mlp.c_proj``, ``ln_f``, ``lm_head``) so pretrained weights load with a short key
map. Shapes: B batch, T sequence length, C = n_embd, H heads, D = C // H per head.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from .config import GPT2Config, feedforward_width


def _check_length(seq_len: int, n_positions: int) -> None:
    if seq_len > n_positions:
        raise ValueError(
            f"sequence length {seq_len} is longer than n_positions={n_positions}: "
            f"GPT-2 has no position embedding beyond position {n_positions - 1}")


def causal_mask(T_q: int, T_k: int, device=None) -> torch.Tensor:
    """Problem 14. Boolean (T_q, T_k), True where attending is allowed, for T_q new queries
    after T_k - T_q cached keys: query i sits at position T_k - T_q + i and sees keys 0 .. that
    position (every cached key and the new ones up to itself). T_q == T_k is the plain
    lower triangle. ValueError when T_q > T_k (queries without their own key)."""
    if T_q > T_k:
        raise ValueError(f"{T_q} queries but only {T_k} keys: every query needs its own key")
    return torch.ones(T_q, T_k, dtype=torch.bool, device=device).tril(diagonal=T_k - T_q)


class Embeddings(nn.Module):
    """Problem 01. Token embedding plus learned position embedding, then dropout.

    input_ids (B, T) of token ids -> (B, T, n_embd).
    """

    def __init__(self, vocab_size: int, n_positions: int, n_embd: int, dropout: float):
        super().__init__()
        self.n_positions = n_positions
        self.wte = nn.Embedding(vocab_size, n_embd)   # one row per token id
        self.wpe = nn.Embedding(n_positions, n_embd)  # one row per position 0..n_positions-1
        self.drop = nn.Dropout(dropout)

    def forward(self, input_ids: torch.Tensor, past_length: int = 0) -> torch.Tensor:
        """``past_length`` (problem 14): how many tokens a KV cache already holds; the new
        tokens sit at positions past_length .. past_length + T - 1."""
        _check_length(past_length + input_ids.shape[-1], self.n_positions)
        positions = torch.arange(past_length, past_length + input_ids.shape[-1], device=input_ids.device)
        # (B, T, C) + (T, C): the same position vectors are broadcast over the batch.
        return self.drop(self.wte(input_ids) + self.wpe(positions))


class SimpleAttention(nn.Module):
    """Problem 02. Single-head self-attention without scaling or masking.

    x (B, T, C) -> (out (B, T, C), attn_weights (B, T, T)); row i of the weights says how much
    token i takes from each token j.
    """

    def __init__(self, n_embd: int):
        super().__init__()
        self.q_proj = nn.Linear(n_embd, n_embd)
        self.k_proj = nn.Linear(n_embd, n_embd)
        self.v_proj = nn.Linear(n_embd, n_embd)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        scores = q @ k.transpose(-2, -1)               # (B, T, T)
        weights = F.softmax(scores, dim=-1)            # each row sums to 1
        return weights @ v, weights


class ScaledDotProductAttention(nn.Module):
    """Problem 03. softmax(q kᵀ / √d_k) v, with dropout on the attention weights.

    q (..., T_q, d_k), k (..., T_k, d_k), v (..., T_k, d_v); optional boolean ``mask``
    broadcastable to (..., T_q, T_k), True where attending is allowed. Returns
    (out (..., T_q, d_v), attn_weights (..., T_q, T_k)); the weights are the softmax distribution
    before dropout, so each row sums to 1. T_q may differ from T_k (a KV cache, problem 14).

    ``n_embd`` is optional and only recorded: the scale √d_k comes from the inputs' last
    dimension, so one module serves any head size (existing calls that pass it keep working).
    """

    def __init__(self, n_embd: int | None = None, dropout: float = 0.1):
        super().__init__()
        self.n_embd = n_embd
        self.dropout = nn.Dropout(dropout)

    def forward(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        d_k = q.shape[-1]
        scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)  # (..., T_q, T_k)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        weights = F.softmax(scores, dim=-1)
        return self.dropout(weights) @ v, weights


class KVCache:
    """Problem 14. The keys and values of the tokens seen so far, one (k, v) pair per layer.

    ``cache[i]`` is layer i's ``(keys, values)``, each (B, H, T_past, D); ``cache.length`` is
    T_past (0 when empty) and ``len(cache)`` the number of layers. Storage is preallocated:
    each layer writes its new keys and values into buffers (B, H, capacity, D) that grow by
    doubling (up to ``max_length``), so a step of generation copies one token, not the whole
    history. ``update`` changes the cache in place: a cache belongs to one sequence of calls
    (pass the one the model returned, and do not branch from an older one).
    """

    def __init__(self, n_layer: int, max_length: int | None = None):
        self.max_length = max_length
        self._keys: list[torch.Tensor | None] = [None] * n_layer
        self._values: list[torch.Tensor | None] = [None] * n_layer
        self._lengths = [0] * n_layer

    @classmethod
    def from_pairs(cls, pairs, max_length: int | None = None) -> "KVCache":
        """A cache holding ``pairs``, a sequence of (keys, values) per layer, each (B, H, T, D)
        (HuggingFace's legacy ``past_key_values`` layout)."""
        pairs = list(pairs)
        cache = cls(len(pairs), max_length)
        for i, (k, v) in enumerate(pairs):
            cache.update(i, k, v)
        return cache

    @property
    def length(self) -> int:
        return self._lengths[0] if self._lengths else 0

    def __len__(self) -> int:
        return len(self._keys)

    def __getitem__(self, layer: int) -> tuple[torch.Tensor, torch.Tensor]:
        n, k, v = self._lengths[layer], self._keys[layer], self._values[layer]
        if k is None:
            raise IndexError(f"layer {layer} of the cache holds nothing yet")
        return k[:, :, :n], v[:, :, :n]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def update(self, layer: int, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Append k, v (B, H, T_new, D) to layer ``layer``; return all its keys and values
        (B, H, T_past + T_new, D) as views of the buffers."""
        n, t = self._lengths[layer], k.shape[2]
        keys, values = self._keys[layer], self._values[layer]
        if keys is None or n + t > keys.shape[2]:
            capacity = max(2 * (n + t), 32)
            if self.max_length is not None:
                capacity = max(min(capacity, self.max_length), n + t)
            new_keys = k.new_empty(k.shape[:2] + (capacity,) + k.shape[3:])
            new_values = v.new_empty(v.shape[:2] + (capacity,) + v.shape[3:])
            if keys is not None:
                new_keys[:, :, :n] = keys[:, :, :n]
                new_values[:, :, :n] = values[:, :, :n]
            keys, values = self._keys[layer], self._values[layer] = new_keys, new_values
        keys[:, :, n:n + t] = k
        values[:, :, n:n + t] = v
        self._lengths[layer] = n + t
        return keys[:, :, :n + t], values[:, :, :n + t]


class MultiHeadAttention(nn.Module):
    """Problem 04. H heads of scaled dot-product attention in parallel.

    One fused projection ``c_attn`` makes q, k and v; each is split into H heads of size D,
    attended independently, merged back to C and projected by ``c_proj``.
    x (B, T, C) -> (B, T, C); with ``return_weights=True`` also the weights (B, H, T, T).

    Problem 14: ``past`` holds the keys and values of T_past earlier tokens, either a pair
    ``(keys, values)``, each (B, H, T_past, D), or ``(cache, layer)``, a ``KVCache`` and this
    layer's index (appended to in place). The T new queries attend to all T_past + T keys; the
    weights are then (B, H, T, T_past + T). ``use_cache=True`` also returns ``(keys, values)``
    of all T_past + T tokens, last: ``(out, (k, v))`` or ``(out, weights, (k, v))``.

    Two paths, one maths: ``return_weights=True`` (and training with attention dropout) runs
    ``self.attention``, softmax(q kᵀ / √D) v written out; otherwise the same product runs as
    ``F.scaled_dot_product_attention``, PyTorch's fused kernel.
    """

    def __init__(self, n_embd: int, n_head: int, dropout: float = 0.1,
                 attn_dropout: float | None = None):
        super().__init__()
        if n_embd % n_head != 0:
            raise ValueError(f"n_embd ({n_embd}) must be divisible by n_head ({n_head})")
        self.n_embd, self.n_head = n_embd, n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.attention = ScaledDotProductAttention(
            n_embd // n_head, dropout if attn_dropout is None else attn_dropout)
        self.resid_dropout = nn.Dropout(dropout)

    def split_heads(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, C) -> (B, H, T, D). View as (B, T, H, D) first, then swap T and H."""
        B, T, C = x.shape
        return x.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)

    def merge_heads(self, x: torch.Tensor) -> torch.Tensor:
        """(B, H, T, D) -> (B, T, C), the inverse of ``split_heads``."""
        B, H, T, D = x.shape
        return x.transpose(1, 2).contiguous().view(B, T, H * D)

    def attention_mask(self, seq_len: int, past_length: int = 0) -> torch.Tensor | None:
        """Which (query, key) pairs may attend, (…, seq_len, past_length + seq_len);
        None = all of them."""
        return None

    def _fused(self, return_weights: bool) -> bool:
        """Whether F.scaled_dot_product_attention computes exactly what self.attention would:
        no weights asked for, no attention dropout active, the reference attention module."""
        return (not return_weights and type(self.attention) is ScaledDotProductAttention
                and (not self.training or self.attention.dropout.p == 0))

    def forward(self, x: torch.Tensor, return_weights: bool = False, past=None, use_cache: bool = False):
        q, k, v = self.c_attn(x).split(self.n_embd, dim=-1)
        q, k, v = self.split_heads(q), self.split_heads(k), self.split_heads(v)  # (B, H, T, D)
        past_length = 0
        if past is not None and isinstance(past[0], KVCache):
            cache, layer = past
            past_length = cache._lengths[layer]
            k, v = cache.update(layer, k, v)                # (B, H, T_past + T, D)
        elif past is not None:                              # a (keys, values) pair, (B, H, T_past, D)
            past_length = past[0].shape[2]
            k, v = torch.cat([past[0], k], dim=2), torch.cat([past[1], v], dim=2)
        T = x.shape[1]
        # Subclasses written before problem 14 define attention_mask(seq_len): ask them that.
        mask = self.attention_mask(T) if past_length == 0 else self.attention_mask(T, past_length)
        if self._fused(return_weights):
            causal = type(self).attention_mask is CausalMultiHeadAttention.attention_mask
            if causal and past_length == 0:
                out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            elif causal and T == 1:  # one new token sees every key
                out = F.scaled_dot_product_attention(q, k, v)
            else:
                out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
            weights = None
        else:
            out, weights = self.attention(q, k, v, mask=mask)
        out = self.resid_dropout(self.c_proj(self.merge_heads(out)))
        result = (out, weights) if return_weights else (out,)
        if use_cache:
            result += ((k, v),)
        return result if len(result) > 1 else out


class CausalMultiHeadAttention(MultiHeadAttention):
    """Problem 05. Multi-head attention in which token i attends only to tokens 0..i.

    The lower-triangular ``mask`` (True = may attend) is a buffer, built once for
    ``n_positions`` and cropped to the sequence length. It is not persistent: it is derived
    from ``n_positions``, so it is not part of the state dict.
    """

    def __init__(self, n_embd: int, n_head: int, n_positions: int, dropout: float = 0.1,
                 attn_dropout: float | None = None):
        super().__init__(n_embd, n_head, dropout, attn_dropout)
        self.n_positions = n_positions
        causal = torch.tril(torch.ones(n_positions, n_positions, dtype=torch.bool))
        self.register_buffer("mask", causal.view(1, 1, n_positions, n_positions), persistent=False)

    def attention_mask(self, seq_len: int, past_length: int = 0) -> torch.Tensor:
        """(1, 1, seq_len, past_length + seq_len): new token i (at position past_length + i)
        sees every cached token and the new tokens 0..i, i.e. rows past_length.. of the
        causal mask."""
        total = past_length + seq_len
        _check_length(total, self.n_positions)
        return self.mask[:, :, past_length:total, :total]


class NewGELU(nn.Module):
    """Problem 06. GELU, tanh approximation, as in GPT-2 (HuggingFace's "gelu_new").

    0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))
    """

    fused = True  # problem 14: F.gelu(approximate="tanh") is this formula in one kernel

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.fused:
            return F.gelu(x, approximate="tanh")
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))


class FeedForward(nn.Module):
    """Problem 06. Position-wise MLP: expand to n_inner, GELU, project back, dropout.

    x (..., n_embd) -> (..., n_embd).
    """

    def __init__(self, n_embd: int, n_inner: int, dropout: float = 0.1):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, n_inner)
        self.act = NewGELU()
        self.c_proj = nn.Linear(n_inner, n_embd)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.c_proj(self.act(self.c_fc(x))))


class LayerNorm(nn.Module):
    """Problem 07. Layer normalization over the last dimension, written out.

    (x - mean) / sqrt(var + eps) * weight + bias, per token, with the biased variance (divided
    by C, not C - 1) and eps inside the square root. Two passes: the mean first, then the mean
    square of x - mean; the one-pass E[x²] - E[x]² cancels catastrophically when every feature
    shares a large offset. Parameters ``weight`` (ones) and ``bias`` (zeros), as in
    ``nn.LayerNorm``, so the state dicts are the same and GPT-2's ln_1/ln_2/ln_f load as they are.
    x (..., C) -> (..., C).
    """

    def __init__(self, n_embd: int, eps: float = 1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(n_embd))
        self.bias = nn.Parameter(torch.zeros(n_embd))

    fused = True  # problem 14: F.layer_norm computes this maths (biased variance, eps in the root) in one kernel

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.fused:
            return F.layer_norm(x, self.weight.shape, self.weight, self.bias, self.eps)
        centred = x - x.mean(dim=-1, keepdim=True)
        variance = centred.pow(2).mean(dim=-1, keepdim=True)  # biased: divided by C
        return centred * torch.rsqrt(variance + self.eps) * self.weight + self.bias


class ResidualBlock(nn.Module):
    """Problem 07. Pre-norm residual connection: x + sublayer(LayerNorm(x))."""

    def __init__(self, n_embd: int, layer_norm_epsilon: float = 1e-5):
        super().__init__()
        self.ln = LayerNorm(n_embd, eps=layer_norm_epsilon)

    def forward(self, x: torch.Tensor, sublayer) -> torch.Tensor:
        return x + sublayer(self.ln(x))


class TransformerBlock(nn.Module):
    """Problem 08. One GPT-2 layer: two pre-norm residual sublayers.

    x = x + attn(ln_1(x)); x = x + mlp(ln_2(x)). (B, T, C) -> (B, T, C).
    """

    def __init__(self, n_embd: int, n_head: int, n_positions: int, dropout: float = 0.1,
                 layer_norm_epsilon: float = 1e-5, attn_dropout: float | None = None,
                 n_inner: int | None = None):
        super().__init__()
        if n_inner is None:
            n_inner = feedforward_width(n_embd)  # GPT2Config's rule, not a second copy of it
        self.ln_1 = LayerNorm(n_embd, eps=layer_norm_epsilon)
        self.attn = CausalMultiHeadAttention(n_embd, n_head, n_positions, dropout, attn_dropout)
        self.ln_2 = LayerNorm(n_embd, eps=layer_norm_epsilon)
        self.mlp = FeedForward(n_embd, n_inner, dropout)

    def forward(self, x: torch.Tensor, past=None, use_cache: bool = False):
        """``past`` (problem 14): the attention's past, ``(keys, values)`` or ``(cache, layer)``.
        ``use_cache=True`` returns ``(x, (keys, values))``, the attention's present."""
        if use_cache:
            attended, present = self.attn(self.ln_1(x), past=past, use_cache=True)
        else:
            attended = self.attn(self.ln_1(x)) if past is None else self.attn(self.ln_1(x), past=past)
        x = x + attended
        x = x + self.mlp(self.ln_2(x))
        return (x, present) if use_cache else x


class GPT2Model(nn.Module):
    """Problems 10-12. The whole GPT-2 language model.

    input_ids (B, T) -> logits (B, T, vocab_size): embeddings, n_layer blocks, final LayerNorm,
    and an LM head that shares its weight with the token embedding (weight tying).
    """

    def __init__(self, config: GPT2Config):
        super().__init__()
        self.config = config
        self.embeddings = Embeddings(config.vocab_size, config.n_positions, config.n_embd,
                                     config.embd_pdrop)
        self.h = nn.ModuleList(
            TransformerBlock(config.n_embd, config.n_head, config.n_positions,
                             dropout=config.resid_pdrop,
                             layer_norm_epsilon=config.layer_norm_epsilon,
                             attn_dropout=config.attn_pdrop,
                             n_inner=config.n_inner)
            for _ in range(config.n_layer))
        self.ln_f = LayerNorm(config.n_embd, eps=config.layer_norm_epsilon)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.lm_head.weight = self.embeddings.wte.weight  # tied: one matrix, two uses
        self.apply(self._init_weights)
        self._scale_residual_projections()

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        """Problem 11. GPT-2 initialisation of one module, in place: N(0, 0.02²) weights for
        nn.Linear and nn.Embedding, zero biases, LayerNorm ones and zeros."""
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if getattr(module, "bias", None) is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, (LayerNorm, nn.LayerNorm)):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)

    def _scale_residual_projections(self) -> None:
        """Problem 11. GPT-2's residual scaling: each block adds two projections into the
        residual stream, so the stream's variance grows with depth; drawing attn.c_proj.weight
        and mlp.c_proj.weight with std 0.02 / sqrt(2 * n_layer) keeps it roughly constant at
        initialisation. Biases and every other parameter are unchanged."""
        residual_std = 0.02 / math.sqrt(2 * self.config.n_layer)
        for name, param in self.named_parameters():
            if name.endswith("c_proj.weight"):
                nn.init.normal_(param, mean=0.0, std=residual_std)

    def forward(self, input_ids: torch.Tensor, past_key_values: KVCache | None = None,
                use_cache: bool = False):
        """input_ids (B, T) -> logits (B, T, vocab_size).

        Problem 14: with ``use_cache=True`` returns ``(logits, cache)``, a ``KVCache`` holding
        the keys and values of every token so far; pass it back as ``past_key_values`` with
        only the new tokens to continue (it is extended in place). A sequence of (k, v) pairs
        per layer is accepted too. Past + new tokens may not exceed n_positions (ValueError).
        """
        if past_key_values is not None and not isinstance(past_key_values, KVCache):
            past_key_values = KVCache.from_pairs(past_key_values, self.config.n_positions)
        if past_key_values is None and use_cache:
            past_key_values = KVCache(len(self.h), self.config.n_positions)
        if past_key_values is None:
            x = self.embeddings(input_ids)
            for block in self.h:
                x = block(x)
        else:
            x = self.embeddings(input_ids, past_key_values.length)
            for i, block in enumerate(self.h):
                x = block(x, past=(past_key_values, i))
        logits = self.lm_head(self.ln_f(x))
        return (logits, past_key_values) if use_cache else logits

    def num_parameters(self) -> int:
        """Distinct parameters (the tied LM head counts once)."""
        return sum(p.numel() for p in self.parameters())

    def generate(self, input_ids: torch.Tensor, max_new_tokens: int, **options) -> torch.Tensor:
        """Extend ``input_ids`` (B, T) by ``max_new_tokens`` tokens: ``gpt2.generation.generate``
        (problem 13) on this model; greedy by default, ``do_sample``, ``temperature``, ``top_k``,
        ``top_p``, ``eos_token_id``, ``generator`` and ``use_cache`` (problem 14) as there."""
        from .generation import generate

        return generate(self, input_ids, max_new_tokens, **options)

    @staticmethod
    def _build_weight_mapping(n_layer: int) -> dict[str, tuple[str, bool]]:
        """Problem 12. HF checkpoint key -> (our state-dict key, Conv1D transpose needed?)."""
        from .pretrained import build_weight_mapping

        return build_weight_mapping(n_layer)

    @classmethod
    def from_pretrained(cls, name_or_path: str) -> "GPT2Model":
        """Problem 12. Load released GPT-2 weights: a hub name ("gpt2", "gpt2-medium",
        "gpt2-large", "gpt2-xl"; needs the network once) or a local directory saved by
        ``transformers`` (safetensors or .bin). A missing, unexpected or wrongly shaped tensor
        raises a ``ValueError`` that names it. Returns the model in eval mode."""
        from .pretrained import load_hf_checkpoint, convert_hf_state_dict

        config, hf_state = load_hf_checkpoint(name_or_path)
        model = cls(config)
        shapes = {name: tuple(t.shape) for name, t in model.state_dict().items()}
        model.load_state_dict(convert_hf_state_dict(hf_state, config.n_layer, shapes))
        return model.eval()
