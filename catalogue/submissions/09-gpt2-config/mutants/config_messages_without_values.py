# cell: p09-gpt2-config
# expect: does not show the value
@dataclass
class GPT2Config:
    vocab_size: int = 50257
    n_positions: int = 1024
    n_embd: int = 768
    n_layer: int = 12
    n_head: int = 12
    resid_pdrop: float = 0.1
    embd_pdrop: float = 0.1
    attn_pdrop: float = 0.1
    layer_norm_epsilon: float = 1e-5

    def __post_init__(self):
        for name in ["vocab_size", "n_positions", "n_embd", "n_layer", "n_head"]:
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"{name} must be a positive integer")
        if self.n_embd % self.n_head != 0:
            raise ValueError("n_embd must be divisible by n_head")
        for name in ["resid_pdrop", "embd_pdrop", "attn_pdrop"]:
            p = getattr(self, name)
            if not (0 <= p < 1):
                raise ValueError(f"{name} must be in [0, 1)")
        if self.layer_norm_epsilon <= 0:
            raise ValueError(f"layer_norm_epsilon must be > 0")

    @property
    def n_inner(self):
        return 4 * self.n_embd

    @classmethod
    def gpt2_small(cls, **overrides):
        return cls(**{"n_embd": 768, "n_layer": 12, "n_head": 12, **overrides})

    @classmethod
    def gpt2_medium(cls, **overrides):
        return cls(**{"n_embd": 1024, "n_layer": 24, "n_head": 16, **overrides})

    @classmethod
    def gpt2_large(cls, **overrides):
        return cls(**{"n_embd": 1280, "n_layer": 36, "n_head": 20, **overrides})

    @classmethod
    def gpt2_xl(cls, **overrides):
        return cls(**{"n_embd": 1600, "n_layer": 48, "n_head": 25, **overrides})
