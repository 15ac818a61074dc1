# cell: p09-gpt2-config
class ConfigError(ValueError):
    """An invalid GPT-2 configuration."""


class GPT2Config:
    """Plain class, n_inner stored at creation, a ValueError subclass, kwargs-based presets."""

    DEFAULTS = dict(vocab_size=50257, n_positions=1024, n_embd=768, n_layer=12, n_head=12,
                    resid_pdrop=0.1, embd_pdrop=0.1, attn_pdrop=0.1, layer_norm_epsilon=1e-5)

    def __init__(self, **kwargs):
        unknown = set(kwargs) - set(self.DEFAULTS)
        if unknown:
            raise TypeError(f"unknown GPT2Config fields: {sorted(unknown)}")
        for name, default in self.DEFAULTS.items():
            setattr(self, name, kwargs.get(name, default))
        for name in ("vocab_size", "n_positions", "n_embd", "n_layer", "n_head"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"{name} must be an int, got {value!r} of type {type(value).__name__}")
            if value < 1:
                raise ConfigError(f"{name} must be at least 1, got {value!r}")
        if self.n_embd % self.n_head:
            raise ConfigError(f"n_embd % n_head must be 0; {self.n_embd} % {self.n_head} = {self.n_embd % self.n_head}")
        for name in ("resid_pdrop", "embd_pdrop", "attn_pdrop"):
            if not 0 <= getattr(self, name) < 1:
                raise ConfigError(f"{name} = {getattr(self, name)!r} is not a probability in [0, 1)")
        if self.layer_norm_epsilon <= 0:
            raise ConfigError(f"layer_norm_epsilon = {self.layer_norm_epsilon!r} must be > 0")
        self.n_inner = 4 * self.n_embd

    def __repr__(self):
        return f"GPT2Config({', '.join(f'{k}={getattr(self, k)!r}' for k in self.DEFAULTS)})"

    @classmethod
    def gpt2_small(cls, **overrides):
        return cls(**{**dict(n_layer=12, n_head=12, n_embd=768), **overrides})

    @classmethod
    def gpt2_medium(cls, **overrides):
        return cls(**{**dict(n_layer=24, n_head=16, n_embd=1024), **overrides})

    @classmethod
    def gpt2_large(cls, **overrides):
        return cls(**{**dict(n_layer=36, n_head=20, n_embd=1280), **overrides})

    @classmethod
    def gpt2_xl(cls, **overrides):
        return cls(**{**dict(n_layer=48, n_head=25, n_embd=1600), **overrides})
