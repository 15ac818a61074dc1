# cell: p17-quantize
def quantize(w, scale=None):
    if scale is None:
        scale = torch.amax(torch.abs(w), dim=-1) / 127
    inverse = torch.nan_to_num(1.0 / scale, posinf=0.0)   # a zero row: 1/0 = inf -> 0, so q = 0
    q = torch.clamp(torch.round(w * inverse.unsqueeze(-1)), min=-127, max=127)
    return q.to(dtype=torch.int8), scale


def dequantize(q, scale):
    return torch.mul(q.to(scale.dtype), scale.unsqueeze(-1))
