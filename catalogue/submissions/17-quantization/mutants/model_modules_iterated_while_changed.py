# cell: p17-quantize-model
# expect: nn.Linear layers left
def quantize_model(model):
    for name, module in model.named_modules():
        if isinstance(module, nn.Linear) and "." not in name:
            setattr(model, name, QuantizedLinear.from_linear(module))
    model.embeddings.wte = QuantizedEmbedding(model.lm_head)
    return model
