# cell: p10-gpt2-model
# expect: ln_f is missing
# expect: ln_f gets no gradient
class GPT2Model(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.embeddings = Embeddings(config.vocab_size, config.n_positions, config.n_embd, config.embd_pdrop)
        self.h = nn.ModuleList([
            TransformerBlock(config.n_embd, config.n_head, config.n_positions, dropout=config.resid_pdrop,
                             layer_norm_epsilon=config.layer_norm_epsilon, attn_dropout=config.attn_pdrop)
            for _ in range(config.n_layer)])
        self.ln_f = LayerNorm(config.n_embd, eps=config.layer_norm_epsilon)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.lm_head.weight = self.embeddings.wte.weight

    def forward(self, input_ids):
        x = self.embeddings(input_ids)
        for block in self.h:
            x = block(x)
        return self.lm_head(x)
