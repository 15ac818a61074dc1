# cell: p11-gpt2-model
# A static method with a dispatch table by type; the scaling multiplies the existing draws.
class GPT2Model(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.embeddings = Embeddings(config.vocab_size, config.n_positions, config.n_embd, config.embd_pdrop)
        self.h = nn.ModuleList(
            TransformerBlock(config.n_embd, config.n_head, config.n_positions, dropout=config.resid_pdrop,
                             layer_norm_epsilon=config.layer_norm_epsilon, attn_dropout=config.attn_pdrop,
                             n_inner=config.n_inner)
            for _ in range(config.n_layer))
        self.ln_f = LayerNorm(config.n_embd, eps=config.layer_norm_epsilon)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.lm_head.weight = self.embeddings.wte.weight  # tied: one Parameter, two uses
        self.apply(self._init_weights)
        self._scale_residual_projections()

    @staticmethod
    def _init_weights(module):
        def normal(m):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if getattr(m, "bias", None) is not None:
                nn.init.zeros_(m.bias)

        def norm(m):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)

        rules = {nn.Linear: normal, nn.Embedding: normal, LayerNorm: norm, nn.LayerNorm: norm}
        rule = rules.get(type(module))
        if rule is not None:
            rule(module)

    def _scale_residual_projections(self):
        factor = 1 / math.sqrt(2 * self.config.n_layer)
        with torch.no_grad():
            for block in self.h:  # already N(0, 0.02²) from _init_weights: scaling them gives N(0, (0.02 * factor)²)
                block.attn.c_proj.weight.mul_(factor)
                block.mlp.c_proj.weight.mul_(factor)

    def forward(self, input_ids):
        x = self.embeddings(input_ids)
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))
