# cell: p17-quantize-model
def quantize_model(model):
    names = [name for name, m in model.named_modules() if isinstance(m, nn.Linear)]
    for name in names:
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, child, QuantizedLinear.from_linear(getattr(parent, child)))
    model.embeddings.wte = QuantizedEmbedding(model.lm_head)
    return model
