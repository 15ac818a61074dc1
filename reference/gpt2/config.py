"""GPT-2 hyperparameters: one dataclass, four presets, validated on creation."""
from __future__ import annotations

from dataclasses import asdict, dataclass

# Sizes of the four released checkpoints, keyed by their HuggingFace hub names; every other field
# keeps its GPT-2 default. The gpt2_* classmethods read this table.
PRESETS = {
    "gpt2": dict(n_layer=12, n_head=12, n_embd=768),
    "gpt2-medium": dict(n_layer=24, n_head=16, n_embd=1024),
    "gpt2-large": dict(n_layer=36, n_head=20, n_embd=1280),
    "gpt2-xl": dict(n_layer=48, n_head=25, n_embd=1600),
}


def feedforward_width(n_embd: int) -> int:
    """Width of GPT-2's feed-forward hidden layer: the MLP is 4x wider than the residual stream.

    The one place this rule lives; the config, the model and the checkpoint loader all ask here.
    """
    return 4 * n_embd


@dataclass
class GPT2Config:
    """Hyperparameters of a GPT-2 model.

    The defaults are GPT-2 small (124M). Field names follow HuggingFace's ``GPT2Config`` so a
    ``config.json`` from the hub maps one to one. The feed-forward width ``n_inner`` is always
    ``4 * n_embd`` in GPT-2, so it is derived rather than stored.
    """

    vocab_size: int = 50257
    n_positions: int = 1024
    n_embd: int = 768
    n_layer: int = 12
    n_head: int = 12
    resid_pdrop: float = 0.1
    embd_pdrop: float = 0.1
    attn_pdrop: float = 0.1
    layer_norm_epsilon: float = 1e-5

    def __post_init__(self) -> None:
        for name in ("vocab_size", "n_positions", "n_embd", "n_layer", "n_head"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"GPT2Config.{name} must be a positive integer, got {value!r}")
        if self.n_embd % self.n_head != 0:
            raise ValueError(
                f"n_embd ({self.n_embd}) must be divisible by n_head ({self.n_head}): "
                f"each head gets n_embd // n_head dimensions")
        for name in ("resid_pdrop", "embd_pdrop", "attn_pdrop"):
            p = getattr(self, name)
            if not 0.0 <= p < 1.0:
                raise ValueError(f"GPT2Config.{name} is a dropout probability in [0, 1), got {p!r}")
        if not self.layer_norm_epsilon > 0:
            raise ValueError(f"layer_norm_epsilon must be positive, got {self.layer_norm_epsilon!r}")

    @property
    def n_inner(self) -> int:
        """Width of the feed-forward hidden layer: 4 x n_embd in every GPT-2."""
        return feedforward_width(self.n_embd)

    @property
    def head_dim(self) -> int:
        return self.n_embd // self.n_head

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def _preset(cls, name: str, **overrides) -> "GPT2Config":
        return cls(**{**PRESETS[name], **overrides})  # overrides win

    @classmethod
    def gpt2_small(cls, **overrides) -> "GPT2Config":
        """124M parameters: 12 layers, 12 heads, width 768."""
        return cls._preset("gpt2", **overrides)

    @classmethod
    def gpt2_medium(cls, **overrides) -> "GPT2Config":
        """355M parameters: 24 layers, 16 heads, width 1024."""
        return cls._preset("gpt2-medium", **overrides)

    @classmethod
    def gpt2_large(cls, **overrides) -> "GPT2Config":
        """774M parameters: 36 layers, 20 heads, width 1280."""
        return cls._preset("gpt2-large", **overrides)

    @classmethod
    def gpt2_xl(cls, **overrides) -> "GPT2Config":
        """1.5B parameters: 48 layers, 25 heads, width 1600."""
        return cls._preset("gpt2-xl", **overrides)


def count_parameters(config: GPT2Config) -> int:
    """Problem 09. Parameters of ``GPT2Model(config)``, from the config alone (no model built).

    The LM head shares its weight with the token embedding, so it adds nothing.
    """
    C, inner = config.n_embd, config.n_inner
    embeddings = config.vocab_size * C + config.n_positions * C   # wte, wpe
    layer_norm = 2 * C                                            # weight, bias
    attention = C * 3 * C + 3 * C + C * C + C                     # c_attn, c_proj
    mlp = C * inner + inner + inner * C + C                       # c_fc, c_proj
    block = 2 * layer_norm + attention + mlp                      # ln_1, attn, ln_2, mlp
    return embeddings + config.n_layer * block + layer_norm       # ... and ln_f
