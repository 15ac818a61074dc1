# cell: p08-transformer-block
class LayerNorm(nn.Module):
    """My LayerNorm from problem 07, pasted here."""

    def __init__(self, n_embd, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(n_embd))
        self.bias = nn.Parameter(torch.zeros(n_embd))

    def forward(self, x):
        mean = x.mean(-1, keepdim=True)
        var = x.var(-1, keepdim=True, unbiased=False)
        return (x - mean) / torch.sqrt(var + self.eps) * self.weight + self.bias


class TransformerBlock(nn.Module):
    def __init__(self, n_embd, n_head, n_positions, dropout=0.1, layer_norm_epsilon=1e-5):
        super().__init__()
        self.ln_1 = LayerNorm(n_embd, eps=layer_norm_epsilon)
        self.attn = gpt2.CausalMultiHeadAttention(n_embd, n_head, n_positions, dropout)
        self.ln_2 = LayerNorm(n_embd, eps=layer_norm_epsilon)
        self.mlp = gpt2.FeedForward(n_embd, 4 * n_embd, dropout)

    def forward(self, x):
        for norm, sublayer in ((self.ln_1, self.attn), (self.ln_2, self.mlp)):
            x = x + sublayer(norm(x))
        return x
