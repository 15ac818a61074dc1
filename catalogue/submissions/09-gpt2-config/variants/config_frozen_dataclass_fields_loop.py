# cell: p09-gpt2-config
@dataclass(frozen=True)
class GPT2Config:
    """Frozen dataclass; validation loops over dataclasses.fields by annotation; presets via replace."""

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
        problems = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.type in (int, "int"):
                if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                    problems.append(f"{f.name} should be a positive integer, not {value!r}")
            elif f.name.endswith("_pdrop"):
                if not 0.0 <= value < 1.0:
                    problems.append(f"{f.name} should be in [0, 1), not {value!r}")
            elif not value > 0:
                problems.append(f"{f.name} should be > 0, not {value!r}")
        if not problems and self.n_embd % self.n_head:
            problems.append(f"n_embd {self.n_embd} should be a multiple of n_head {self.n_head}")
        if problems:
            raise ValueError("invalid GPT2Config: " + "; ".join(problems))

    @property
    def n_inner(self) -> int:
        return 4 * self.n_embd

    @classmethod
    def gpt2_small(cls, **overrides):
        return dataclasses.replace(cls(), **{"n_embd": 768, "n_layer": 12, "n_head": 12, **overrides})

    @classmethod
    def gpt2_medium(cls, **overrides):
        return cls(**{**dict(n_embd=1024, n_layer=24, n_head=16), **overrides})

    @classmethod
    def gpt2_large(cls, **overrides):
        return cls(**{**dict(n_embd=1280, n_layer=36, n_head=20), **overrides})

    @classmethod
    def gpt2_xl(cls, **overrides):
        return cls(**{**dict(n_embd=1600, n_layer=48, n_head=25), **overrides})
