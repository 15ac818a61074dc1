# cell: p10-gpt2-model
# keyword arguments everywhere, a block factory, a generator into ModuleList, indexing in forward
class GPT2Model(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.embeddings = Embeddings(vocab_size=config.vocab_size, n_positions=config.n_positions,
                                     n_embd=config.n_embd, dropout=config.embd_pdrop)
        self.h = nn.ModuleList(self._block(config) for _ in range(config.n_layer))
        self.ln_f = LayerNorm(config.n_embd, config.layer_norm_epsilon)
        head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        head.weight = self.embeddings.wte.weight
        self.lm_head = head

    @staticmethod
    def _block(config):
        return TransformerBlock(n_embd=config.n_embd, n_head=config.n_head, n_positions=config.n_positions,
                                dropout=config.resid_pdrop, layer_norm_epsilon=config.layer_norm_epsilon,
                                attn_dropout=config.attn_pdrop, n_inner=config.n_inner)

    def forward(self, input_ids):
        hidden = self.embeddings(input_ids)
        for i in range(len(self.h)):
            hidden = self.h[i](hidden)
        hidden = self.ln_f(hidden)
        return self.lm_head(hidden)
