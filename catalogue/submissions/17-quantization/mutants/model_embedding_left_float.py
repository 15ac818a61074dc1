# cell: p17-quantize-model
# expect: floating-point copy of the token embedding
def quantize_model(model):
    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, nn.Linear):
                setattr(module, name, QuantizedLinear.from_linear(child))
    return model
