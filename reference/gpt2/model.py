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

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        _check_length(input_ids.shape[-1], self.n_positions)
        positions = torch.arange(input_ids.shape[-1], device=input_ids.device)
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


class MultiHeadAttention(nn.Module):
    """Problem 04. H heads of scaled dot-product attention in parallel.

    One fused projection ``c_attn`` makes q, k and v; each is split into H heads of size D,
    attended independently, merged back to C and projected by ``c_proj``.
    x (B, T, C) -> (B, T, C); with ``return_weights=True`` also the weights (B, H, T, T).
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

    def attention_mask(self, seq_len: int) -> torch.Tensor | None:
        """Which (query, key) pairs may attend; None = all of them."""
        return None

    def forward(self, x: torch.Tensor, return_weights: bool = False):
        q, k, v = self.c_attn(x).split(self.n_embd, dim=-1)
        q, k, v = self.split_heads(q), self.split_heads(k), self.split_heads(v)
        out, weights = self.attention(q, k, v, mask=self.attention_mask(x.shape[1]))
        out = self.resid_dropout(self.c_proj(self.merge_heads(out)))
        return (out, weights) if return_weights else out


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

    def attention_mask(self, seq_len: int) -> torch.Tensor:
        _check_length(seq_len, self.n_positions)
        return self.mask[:, :, :seq_len, :seq_len]


class NewGELU(nn.Module):
    """Problem 06. GELU, tanh approximation, as in GPT-2 (HuggingFace's "gelu_new").

    0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
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

    def forward(self, x: torch.Tensor) -> torch.Tensor:
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

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


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

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        x = self.embeddings(input_ids)
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))

    def num_parameters(self) -> int:
        """Distinct parameters (the tied LM head counts once)."""
        return sum(p.numel() for p in self.parameters())

    @torch.no_grad()
    def generate(self, input_ids: torch.Tensor, max_new_tokens: int, *,
                 temperature: float = 1.0, top_k: int | None = None,
                 do_sample: bool = False, generator: torch.Generator | None = None) -> torch.Tensor:
        """Extend ``input_ids`` (B, T) by ``max_new_tokens`` tokens, greedily by default.

        With ``do_sample=True`` tokens are drawn from softmax(logits / temperature), keeping
        only the ``top_k`` most likely when given. Context beyond ``n_positions`` is cropped.
        """
        if max_new_tokens < 0:
            raise ValueError(f"max_new_tokens must be >= 0, got {max_new_tokens}")
        if do_sample and temperature <= 0:
            raise ValueError(f"temperature must be positive when sampling, got {temperature}")
        if top_k is not None and top_k <= 0:
            raise ValueError(f"top_k must be a positive number of tokens, got {top_k}")
        for _ in range(max_new_tokens):
            context = input_ids[:, -self.config.n_positions:]
            logits = self(context)[:, -1, :]
            if do_sample:
                logits = logits / temperature
                if top_k is not None:
                    kth = torch.topk(logits, min(top_k, logits.shape[-1])).values[:, -1:]
                    logits = logits.masked_fill(logits < kth, float("-inf"))
                next_id = torch.multinomial(F.softmax(logits, dim=-1), 1, generator=generator)
            else:
                next_id = logits.argmax(dim=-1, keepdim=True)
            input_ids = torch.cat([input_ids, next_id], dim=1)
        return input_ids

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
