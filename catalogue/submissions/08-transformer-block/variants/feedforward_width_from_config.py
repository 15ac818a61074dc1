# cell: p08-transformer-block
from gpt2.config import feedforward_width


class TransformerBlock(nn.Module):
    """The MLP width read from GPT-2's rule in gpt2.config; the parts created in another order."""

    def __init__(self, n_embd, n_head, n_positions, dropout=0.1, layer_norm_epsilon=1e-5):
        super().__init__()
        self.mlp = gpt2.FeedForward(n_embd, feedforward_width(n_embd), dropout)
        self.attn = gpt2.CausalMultiHeadAttention(n_embd=n_embd, n_head=n_head, n_positions=n_positions,
                                                  dropout=dropout)
        self.ln_2 = gpt2.LayerNorm(n_embd, layer_norm_epsilon)
        self.ln_1 = gpt2.LayerNorm(n_embd, layer_norm_epsilon)

    def forward(self, x):
        attended = self.attn(self.ln_1(x))
        stream = x + attended
        processed = self.mlp(self.ln_2(stream))
        return stream + processed
