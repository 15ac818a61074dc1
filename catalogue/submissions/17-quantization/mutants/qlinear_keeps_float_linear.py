# cell: p17-quantized-linear
# expect: floating-point (20, 48) tensor
class QuantizedLinear(nn.Module):
    def __init__(self, in_features, out_features, bias=True, dtype=torch.float32):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.register_buffer("weight", torch.zeros(out_features, in_features, dtype=torch.int8))
        self.register_buffer("scale", torch.zeros(out_features, dtype=dtype))
        self.register_buffer("bias", torch.zeros(out_features, dtype=dtype) if bias else None)

    @classmethod
    def from_linear(cls, linear):
        layer = cls(linear.in_features, linear.out_features, bias=linear.bias is not None)
        layer.original = linear  # kept for reference
        q, scale = quantize(linear.weight.detach())
        layer.weight.copy_(q)
        layer.scale.copy_(scale)
        if linear.bias is not None:
            layer.bias.copy_(linear.bias.detach())
        return layer

    def forward(self, x):
        return F.linear(x, dequantize(self.weight, self.scale), self.bias)
