# cell: p17-quantized-linear
# expect: does not load into QuantizedLinear
class QuantizedLinear(nn.Module):
    def __init__(self, in_features, out_features, bias=True, dtype=torch.float32):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features

    @classmethod
    def from_linear(cls, linear):
        layer = cls(linear.in_features, linear.out_features, bias=linear.bias is not None)
        q, scale = quantize(linear.weight.detach())
        layer.register_buffer("weight", q)
        layer.register_buffer("scale", scale)
        layer.register_buffer("bias", None if linear.bias is None else linear.bias.detach().clone())
        return layer

    def forward(self, x):
        return F.linear(x, dequantize(self.weight, self.scale), self.bias)
