# cell: p11-gpt2-model
# expect: tails are cut off
# A truncated normal, cut at 2 std (as some codebases do), is not GPT-2's N(0, 0.02²).
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

    def _init_weights(self, module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.trunc_normal_(module.weight, std=0.02, a=-0.04, b=0.04)
            if getattr(module, "bias", None) is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, (LayerNorm, nn.LayerNorm)):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)

    def _scale_residual_projections(self):
        std = 0.02 / math.sqrt(2 * self.config.n_layer)
        for name, param in self.named_parameters():
            if name.endswith("c_proj.weight"):
                nn.init.normal_(param, mean=0.0, std=std)

    def forward(self, input_ids):
        x = self.embeddings(input_ids)
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))
