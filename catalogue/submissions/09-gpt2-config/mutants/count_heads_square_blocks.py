# cell: p09-count-parameters
# expect: count_parameters(gpt2.GPT2Config.gpt2_small()) = 
# expect: expected 124,439,808
def count_parameters(config):
    C, H = config.n_embd, config.n_head
    d = C // H
    attn = H * 3 * (d * d + d) + C * C + C       # each head: its own d x d query, key and value
    mlp = 2 * C * config.n_inner + config.n_inner + C
    block = 4 * C + attn + mlp
    return config.vocab_size * C + config.n_positions * C + config.n_layer * block + 2 * C
