# cell: p14-model
class TransformerBlock(nn.Module):
    def __init__(self, n_embd, n_head, n_positions, dropout=0.1, layer_norm_epsilon=1e-5):
        super().__init__()
        self.ln_1 = gpt2.LayerNorm(n_embd, eps=layer_norm_epsilon)
        self.attn = CausalMultiHeadAttention(n_embd, n_head, n_positions, dropout)
        self.ln_2 = gpt2.LayerNorm(n_embd, eps=layer_norm_epsilon)
        self.mlp = gpt2.FeedForward(n_embd, 4 * n_embd, dropout)

    def forward(self, x, past=None, use_cache=False):
        result = self.attn(self.ln_1(x), past=past, use_cache=use_cache)
        attended, present = result if use_cache else (result, None)
        h = x + attended
        out = h + self.mlp(self.ln_2(h))
        return (out, present) if use_cache else out


class GPT2Model(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.embeddings = Embeddings(config.vocab_size, config.n_positions, config.n_embd, config.embd_pdrop)
        self.h = nn.ModuleList(
            TransformerBlock(config.n_embd, config.n_head, config.n_positions, config.resid_pdrop,
                             config.layer_norm_epsilon) for _ in range(config.n_layer))
        self.ln_f = gpt2.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.lm_head.weight = self.embeddings.wte.weight

    def forward(self, input_ids, past_key_values=None, use_cache=False):
        if past_key_values is None:
            self.tokens_seen = 0          # a counter of positions, reset by every new text
        past_length = self.tokens_seen
        x = self.embeddings(input_ids, past_length)
        cache = []
        for block, layer_past in zip(self.h, past_key_values or [None] * len(self.h)):
            if use_cache:
                x, kv = block(x, layer_past, True)
                cache.append(list(kv))
            else:
                x = block(x, layer_past)
        self.tokens_seen = past_length + input_ids.shape[1]
        logits = self.lm_head(self.ln_f(x))
        return (logits, cache) if use_cache else logits
