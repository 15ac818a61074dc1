# cell: p09-count-parameters
# expect: the position embedding wpe (n_positions x n_embd) is missing
def count_parameters(config):
    C = config.n_embd
    V = config.vocab_size
    P = config.n_positions
    inner = config.n_inner
    embeddings = V * C
    ln = 2 * C
    attn = C * 3 * C + 3 * C + C * C + C
    mlp = C * inner + inner + inner * C + C
    block = 2 * ln + attn + mlp
    return embeddings + config.n_layer * block + ln
