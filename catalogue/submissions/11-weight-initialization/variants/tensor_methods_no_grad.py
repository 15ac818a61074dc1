# cell: p11-gpt2-model
# Tensor methods under torch.no_grad(); the scaling loops over the blocks.
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
        with torch.no_grad():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                module.weight.normal_(mean=0.0, std=0.02)
                if getattr(module, "bias", None) is not None:
                    module.bias.zero_()
            elif isinstance(module, (LayerNorm, nn.LayerNorm)):
                module.weight.fill_(1.0)
                module.bias.zero_()

    def _scale_residual_projections(self):
        std = 0.02 / math.sqrt(2 * len(self.h))
        with torch.no_grad():
            for block in self.h:
                block.attn.c_proj.weight.normal_(0.0, std)
                block.mlp.c_proj.weight.normal_(0.0, std)

    def forward(self, input_ids):
        x = self.embeddings(input_ids)
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))
