# cell: p09-count-parameters
# expect: a parameter count is an exact int
def count_parameters(config):
    C, H = config.n_embd, config.n_head
    head_dim = C / H
    qkv = 3 * H * (C * head_dim + head_dim)      # q, k, v of every head
    attn = qkv + C * C + C                        # ... and the output projection
    mlp = 2 * C * config.n_inner + config.n_inner + C
    block = 4 * C + attn + mlp
    return config.vocab_size * C + config.n_positions * C + config.n_layer * block + 2 * C
