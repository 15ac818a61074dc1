# cell: p09-count-parameters
def count_parameters(config):
    """With small helpers for a linear layer and a layer norm."""

    def linear(n_in, n_out, bias=True):
        return n_in * n_out + (n_out if bias else 0)

    def layer_norm(n):
        return 2 * n

    C = config.n_embd
    attention = linear(C, 3 * C) + linear(C, C)
    mlp = linear(C, config.n_inner) + linear(config.n_inner, C)
    block = layer_norm(C) + attention + layer_norm(C) + mlp
    embeddings = config.vocab_size * C + config.n_positions * C
    total = embeddings
    for _ in range(config.n_layer):
        total += block
    return int(total + layer_norm(C))
