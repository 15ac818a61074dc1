# cell: p17-quantize-model
# expect: stored twice
def quantize_model(model):
    wte = model.embeddings.wte
    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, nn.Linear):
                setattr(module, name, QuantizedLinear.from_linear(child))
    table = nn.Linear(wte.embedding_dim, wte.num_embeddings, bias=False)
    table.weight = wte.weight
    model.embeddings.wte = QuantizedEmbedding(QuantizedLinear.from_linear(table))
    return model
