# cell: p11-gpt2-model
# self.modules() instead of apply, and .data assignment (the Parameter object stays the same).
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
        for module in self.modules():
            self._init_weights(module)
        self._scale_residual_projections()

    def _init_weights(self, module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            module.weight.data = torch.randn_like(module.weight) * 0.02  # same Parameter, new values
            if getattr(module, "bias", None) is not None:
                module.bias.data = torch.zeros_like(module.bias)
        elif isinstance(module, (LayerNorm, nn.LayerNorm)):
            module.weight.data = torch.ones_like(module.weight)
            module.bias.data = torch.zeros_like(module.bias)

    def _scale_residual_projections(self):
        for block in self.h:
            for projection in (block.attn.c_proj, block.mlp.c_proj):
                projection.weight.data = torch.randn_like(projection.weight) * (0.02 / (2 * self.config.n_layer) ** 0.5)

    def forward(self, input_ids):
        x = self.embeddings(input_ids)
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))
