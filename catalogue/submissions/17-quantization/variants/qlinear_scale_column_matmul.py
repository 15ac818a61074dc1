# cell: p17-quantized-linear
class QuantizedLinear(nn.Module):
    def __init__(self, in_features, out_features, bias=True, dtype=torch.float32):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.register_buffer("weight", torch.empty(out_features, in_features, dtype=torch.int8))
        self.register_buffer("scale", torch.empty(out_features, 1, dtype=dtype))   # a column: broadcasts over rows
        if bias:
            self.register_buffer("bias", torch.empty(out_features, dtype=dtype))
        else:
            self.bias = None

    @classmethod
    def from_linear(cls, linear):
        with torch.no_grad():
            q, scale = quantize(linear.weight)
        layer = cls(linear.in_features, linear.out_features, linear.bias is not None, linear.weight.dtype)
        layer.weight = q.clone()
        layer.scale = scale.reshape(-1, 1).clone()
        if linear.bias is not None:
            layer.bias = linear.bias.detach().clone()
        return layer

    def forward(self, x):
        w = self.weight.to(self.scale.dtype) * self.scale
        out = x @ w.T
        return out if self.bias is None else out + self.bias
