# cell: p17-quantized-linear
# expect: register_buffer
class QuantizedLinear(nn.Module):
    def __init__(self, in_features, out_features, bias=True, dtype=torch.float32):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = torch.zeros(out_features, in_features, dtype=torch.int8)
        self.scale = torch.zeros(out_features, dtype=dtype)
        self.bias = torch.zeros(out_features, dtype=dtype) if bias else None

    @classmethod
    def from_linear(cls, linear):
        layer = cls(linear.in_features, linear.out_features, bias=linear.bias is not None)
        layer.weight, layer.scale = quantize(linear.weight.detach())
        if linear.bias is not None:
            layer.bias = linear.bias.detach().clone()
        return layer

    def forward(self, x):
        return F.linear(x, dequantize(self.weight, self.scale), self.bias)
