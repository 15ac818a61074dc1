# cell: p09-gpt2-config
# expect: the value of a config made after it
# expect: not on the class
class GPT2Config:
    """A plain class whose values live on the class itself: every config shares them."""

    def __init__(self, vocab_size=50257, n_positions=1024, n_embd=768, n_layer=12, n_head=12,
                 resid_pdrop=0.1, embd_pdrop=0.1, attn_pdrop=0.1, layer_norm_epsilon=1e-5):
        cls = type(self)
        cls.vocab_size, cls.n_positions, cls.n_embd, cls.n_layer, cls.n_head = (
            vocab_size, n_positions, n_embd, n_layer, n_head)
        cls.resid_pdrop, cls.embd_pdrop, cls.attn_pdrop = resid_pdrop, embd_pdrop, attn_pdrop
        cls.layer_norm_epsilon = layer_norm_epsilon
        for name in ["vocab_size", "n_positions", "n_embd", "n_layer", "n_head"]:
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"{name} must be a positive integer, got {value}")
        if n_embd % n_head != 0:
            raise ValueError(f"n_embd={n_embd} is not divisible by n_head={n_head}")
        for name in ["resid_pdrop", "embd_pdrop", "attn_pdrop"]:
            if not 0 <= getattr(self, name) < 1:
                raise ValueError(f"{name} must be in [0, 1), got {getattr(self, name)}")
        if layer_norm_epsilon <= 0:
            raise ValueError(f"layer_norm_epsilon must be > 0, got {layer_norm_epsilon}")

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
