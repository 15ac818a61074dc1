# cell: p10-gpt2-model
# blocks appended one by one, positional arguments, the embedding takes the head's Parameter
class GPT2Model(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.embeddings = Embeddings(config.vocab_size, config.n_positions, config.n_embd, config.embd_pdrop)
        self.h = nn.ModuleList()
        for _ in range(config.n_layer):
            self.h.append(TransformerBlock(config.n_embd, config.n_head, config.n_positions, config.resid_pdrop,
                                           config.layer_norm_epsilon, config.attn_pdrop))
        self.ln_f = LayerNorm(config.n_embd, eps=config.layer_norm_epsilon)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.embeddings.wte.weight = self.lm_head.weight  # tie the other way round: still one Parameter

    def forward(self, input_ids):
        x = self.embeddings(input_ids)
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))
