# cell: p17-quantize-model
# expect: lm_head
def quantize_model(model):
    for block in model.h:
        for parent in (block.attn, block.mlp):
            for name, child in list(parent.named_children()):
                if isinstance(child, nn.Linear):
                    setattr(parent, name, QuantizedLinear.from_linear(child))
    return model
