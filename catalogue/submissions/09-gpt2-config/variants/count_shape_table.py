# cell: p09-count-parameters
import math


def count_parameters(config):
    """Sum of the element counts of every parameter's shape, module by module."""
    C, inner = config.n_embd, config.n_inner
    once = {"wte.weight": (config.vocab_size, C), "wpe.weight": (config.n_positions, C),
            "ln_f.weight": (C,), "ln_f.bias": (C,)}
    per_block = {
        "ln_1.weight": (C,), "ln_1.bias": (C,),
        "attn.c_attn.weight": (3 * C, C), "attn.c_attn.bias": (3 * C,),
        "attn.c_proj.weight": (C, C), "attn.c_proj.bias": (C,),
        "ln_2.weight": (C,), "ln_2.bias": (C,),
        "mlp.c_fc.weight": (inner, C), "mlp.c_fc.bias": (inner,),
        "mlp.c_proj.weight": (C, inner), "mlp.c_proj.bias": (C,),
    }
    total = sum(math.prod(shape) for shape in once.values())
    total += config.n_layer * sum(math.prod(shape) for shape in per_block.values())
    return total  # lm_head.weight is wte.weight: counted once, above
