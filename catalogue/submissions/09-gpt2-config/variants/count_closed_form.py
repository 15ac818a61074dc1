# cell: p09-count-parameters
def count_parameters(config):
    """Closed form: each block has 12 C^2 + 13 C parameters (with n_inner = 4 C)."""
    C = config.n_embd
    per_block = 12 * C * C + 13 * C
    return (config.vocab_size + config.n_positions) * C + config.n_layer * per_block + 2 * C
