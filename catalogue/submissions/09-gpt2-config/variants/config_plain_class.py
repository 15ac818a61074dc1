# cell: p09-gpt2-config
class GPT2Config:
    """A plain class: explicit __init__, validation in helper methods, presets from a table."""

    SIZES = {"small": (768, 12, 12), "medium": (1024, 24, 16), "large": (1280, 36, 20), "xl": (1600, 48, 25)}

    def __init__(self, vocab_size=50257, n_positions=1024, n_embd=768, n_layer=12, n_head=12,
                 resid_pdrop=0.1, embd_pdrop=0.1, attn_pdrop=0.1, layer_norm_epsilon=1e-5):
        self.vocab_size = self._size("vocab_size", vocab_size)
        self.n_positions = self._size("n_positions", n_positions)
        self.n_embd = self._size("n_embd", n_embd)
        self.n_layer = self._size("n_layer", n_layer)
        self.n_head = self._size("n_head", n_head)
        if n_embd % n_head:
            raise ValueError(f"n_head={n_head} does not divide n_embd={n_embd}")
        self.resid_pdrop = self._probability("resid_pdrop", resid_pdrop)
        self.embd_pdrop = self._probability("embd_pdrop", embd_pdrop)
        self.attn_pdrop = self._probability("attn_pdrop", attn_pdrop)
        if not layer_norm_epsilon > 0:
            raise ValueError(f"layer_norm_epsilon={layer_norm_epsilon!r} is not positive")
        self.layer_norm_epsilon = layer_norm_epsilon

    @staticmethod
    def _size(name, value):
        if type(value) is not int or value < 1:
            raise ValueError(f"{name}={value!r}: expected a positive int")
        return value

    @staticmethod
    def _probability(name, p):
        if p < 0 or p >= 1:
            raise ValueError(f"{name}={p!r} is outside [0, 1)")
        return p

    @property
    def n_inner(self):
        return self.n_embd * 4

    @classmethod
    def _sized(cls, size, overrides):
        n_embd, n_layer, n_head = cls.SIZES[size]
        arguments = dict(n_embd=n_embd, n_layer=n_layer, n_head=n_head)
        arguments.update(overrides)
        return cls(**arguments)

    @classmethod
    def gpt2_small(cls, **overrides):
        return cls._sized("small", overrides)

    @classmethod
    def gpt2_medium(cls, **overrides):
        return cls._sized("medium", overrides)

    @classmethod
    def gpt2_large(cls, **overrides):
        return cls._sized("large", overrides)

    @classmethod
    def gpt2_xl(cls, **overrides):
        return cls._sized("xl", overrides)
