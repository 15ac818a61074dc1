"""Problem 16. LoRA: low-rank adapters on a frozen GPT-2 (Hu et al. 2021, "LoRA: Low-Rank
Adaptation of Large Language Models", https://arxiv.org/abs/2106.09685).

A frozen ``nn.Linear`` computes ``x Wᵀ + b``. ``LoRALinear`` adds a trainable low-rank update:

    out = base(x) + dropout(x) @ Aᵀ @ Bᵀ · (alpha / r)        A: (r, in), B: (out, r)

A starts random and B at zero, so at initialisation the output is exactly the base's, and
training moves only A and B: r · (in + out) numbers per adapted layer instead of in · out.
``merge()`` folds the update into the base weight (W += (alpha / r) · B A) for inference at no
extra cost; ``unmerge()`` takes it out again.

Initialisation, as in the paper's code (loralib) and HuggingFace PEFT: A is Kaiming-uniform with
a = √5, the same draw as ``nn.Linear``'s own weight (uniform on ±1/√in), B is zeros.

Names follow PEFT's where they can (``lora_A``, ``lora_B``, ``lora_dropout``; PEFT keeps them
in per-adapter dicts, ``lora_A.default.weight``, we keep one adapter as plain parameters). The
wrapped layer is ``base``, so an adapted ``attn.c_attn`` holds ``attn.c_attn.base.weight``.
"""
from __future__ import annotations

import math
from typing import Iterable

import torch
import torch.nn as nn

__all__ = ["LoRALinear", "apply_lora", "count_trainable_parameters", "load_lora_state_dict",
           "lora_modules", "lora_state_dict", "merge_lora", "unmerge_lora"]


class LoRALinear(nn.Module):
    """A frozen ``nn.Linear`` plus a trainable low-rank update (alpha / r) · B A.

    Args:
        base: the layer to adapt, ``in_features -> out_features``; its parameters are frozen
            (``requires_grad = False``) and kept as they are (the same Parameter objects).
        r: the rank, a positive int.
        alpha: the scale numerator, a positive number; the update is multiplied by alpha / r.
        dropout: probability in [0, 1) of zeroing elements of the LoRA path's *input* in
            training mode; the base path is never dropped.

    Attributes: ``base``, ``lora_A`` (r, in), ``lora_B`` (out, r), ``lora_dropout``, ``r``,
    ``alpha``, ``scaling`` (alpha / r), ``merged`` (bool).

    Raises:
        TypeError: ``base`` is not an ``nn.Linear``.
        ValueError: r is not a positive int, alpha is not positive, or dropout is outside [0, 1).
    """

    def __init__(self, base: nn.Linear, r: int, alpha: float, dropout: float = 0.0):
        super().__init__()
        if not isinstance(base, nn.Linear):
            raise TypeError(f"LoRALinear adapts an nn.Linear, got {type(base).__name__}")
        if isinstance(r, bool) or not isinstance(r, int) or r <= 0:
            raise ValueError(f"r (the rank) must be a positive integer, got {r!r}")
        if not alpha > 0:
            raise ValueError(f"alpha must be positive, got {alpha!r}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout is a probability in [0, 1), got {dropout!r}")
        self.base = base
        for param in base.parameters():
            param.requires_grad_(False)
        self.r, self.alpha, self.scaling = r, alpha, alpha / r
        weight = base.weight
        self.lora_A = nn.Parameter(torch.empty(r, base.in_features, device=weight.device, dtype=weight.dtype))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, r, device=weight.device, dtype=weight.dtype))
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))  # as nn.Linear, loralib and PEFT
        self.lora_dropout = nn.Dropout(dropout)
        self.merged = False

    def delta_weight(self) -> torch.Tensor:
        """The update (alpha / r) · B A, shaped like the base weight (out, in)."""
        return (self.lora_B @ self.lora_A) * self.scaling

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (..., in) -> (..., out)."""
        out = self.base(x)
        if self.merged:  # the update is inside base.weight already
            return out
        return out + (self.lora_dropout(x) @ self.lora_A.T @ self.lora_B.T) * self.scaling

    @torch.no_grad()
    def merge(self) -> None:
        """Fold the update into the base weight: W += (alpha / r) · B A. A second call does nothing."""
        if not self.merged:
            self.base.weight += self.delta_weight()
            self.merged = True

    @torch.no_grad()
    def unmerge(self) -> None:
        """Take the update out of the base weight again. Without a merge it does nothing."""
        if self.merged:
            self.base.weight -= self.delta_weight()
            self.merged = False

    def extra_repr(self) -> str:
        return f"r={self.r}, alpha={self.alpha}, merged={self.merged}"


def _matches(name: str, targets: Iterable[str]) -> bool:
    return any(name == t or name.endswith("." + t) for t in targets)


def apply_lora(model: nn.Module, r: int, alpha: float, targets: Iterable[str] = ("c_attn",),
               dropout: float = 0.0) -> nn.Module:
    """Wrap every ``nn.Linear`` of ``model`` whose name ends with a target (``"c_attn"`` matches
    ``h.0.attn.c_attn``; ``"c_proj"`` both ``attn.c_proj`` and ``mlp.c_proj``) in a
    ``LoRALinear(layer, r, alpha, dropout)``, in place, and leave only the LoRA parameters
    (``lora_A``, ``lora_B``) trainable: embeddings, LayerNorms, biases and every base weight are
    frozen. Returns ``model``.

    Raises ``ValueError`` when no ``nn.Linear`` matches a target (a typo would otherwise train
    nothing), and whatever ``LoRALinear`` raises for r, alpha and dropout.
    """
    if isinstance(targets, str):
        targets = (targets,)
    targets = tuple(targets)
    chosen = [name for name, module in model.named_modules()
              if isinstance(module, nn.Linear) and _matches(name, targets)]
    unmatched = [t for t in targets if not any(_matches(name, (t,)) for name in chosen)]
    if not targets or unmatched:
        raise ValueError(f"no nn.Linear of the model matches the target(s) {unmatched or list(targets)}; "
                         f"its linear layers are named like {[n for n, m in model.named_modules() if isinstance(m, nn.Linear)][:4]}")
    for param in model.parameters():
        param.requires_grad_(False)
    for name in chosen:
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, child, LoRALinear(getattr(parent, child), r, alpha, dropout))
    return model


def lora_modules(model: nn.Module) -> dict[str, LoRALinear]:
    """The model's LoRALinear layers, by name."""
    return {name: m for name, m in model.named_modules() if isinstance(m, LoRALinear)}


def count_trainable_parameters(model: nn.Module) -> int:
    """Parameters with ``requires_grad`` (each shared Parameter once)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def lora_state_dict(model: nn.Module) -> dict[str, torch.Tensor]:
    """The adapter alone: every ``lora_A`` and ``lora_B`` under its name in ``model.state_dict()``
    (``h.0.attn.c_attn.lora_A``, ...), as detached copies. ``torch.save`` it: a few hundred KB
    to MB where the whole model is hundreds of MB."""
    return {name: tensor.detach().clone() for name, tensor in model.state_dict().items()
            if name.rsplit(".", 1)[-1] in ("lora_A", "lora_B")}


def load_lora_state_dict(model: nn.Module, state: dict[str, torch.Tensor]) -> nn.Module:
    """Copy an adapter saved by ``lora_state_dict`` into ``model``, which ``apply_lora`` has
    prepared with the same targets, r and alpha. Returns ``model``.

    Raises ``ValueError`` when a key is missing, unexpected, or has another shape (another r).
    """
    own = lora_state_dict(model)
    missing, unexpected = sorted(set(own) - set(state)), sorted(set(state) - set(own))
    if missing or unexpected:
        raise ValueError(f"the adapter does not fit the model: missing {missing[:3]}, unexpected {unexpected[:3]}")
    for name, tensor in state.items():
        if tuple(tensor.shape) != tuple(own[name].shape):
            raise ValueError(f"{name} has shape {tuple(tensor.shape)} in the adapter, {tuple(own[name].shape)} in "
                             "the model: was the adapter trained with another r?")
    model.load_state_dict(state, strict=False)
    return model


def merge_lora(model: nn.Module) -> nn.Module:
    """``merge()`` every LoRALinear of ``model``. Returns ``model``."""
    for module in lora_modules(model).values():
        module.merge()
    return model


def unmerge_lora(model: nn.Module) -> nn.Module:
    """``unmerge()`` every LoRALinear of ``model``. Returns ``model``."""
    for module in lora_modules(model).values():
        module.unmerge()
    return model
