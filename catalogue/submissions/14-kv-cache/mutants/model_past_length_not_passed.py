# cell: p14-model
# expect: past_length
class TransformerBlock(nn.Module):
    def __init__(self, n_embd, n_head, n_positions, dropout=0.1, layer_norm_epsilon=1e-5):
        super().__init__()
        self.ln_1 = gpt2.LayerNorm(n_embd, eps=layer_norm_epsilon)
        self.attn = CausalMultiHeadAttention(n_embd, n_head, n_positions, dropout)
        self.ln_2 = gpt2.LayerNorm(n_embd, eps=layer_norm_epsilon)
        self.mlp = gpt2.FeedForward(n_embd, 4 * n_embd, dropout)

    def forward(self, x, past=None, use_cache=False):
        if use_cache:
            attended, present = self.attn(self.ln_1(x), past=past, use_cache=True)
        else:
            attended, present = self.attn(self.ln_1(x), past=past), None
        x = x + attended
        x = x + self.mlp(self.ln_2(x))
        return (x, present) if use_cache else x


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
        x = self.embeddings(input_ids)
        presents = []
        for i, block in enumerate(self.h):
            layer_past = None if past_key_values is None else past_key_values[i]
            if use_cache:
                x, present = block(x, past=layer_past, use_cache=True)
                presents.append(present)
            else:
                x = block(x, past=layer_past)
        logits = self.lm_head(self.ln_f(x))
        return (logits, tuple(presents)) if use_cache else logits
