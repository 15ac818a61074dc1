# cell: p17-quantize
# expect: turned a NaN into an integer
def quantize(w, scale=None):
    if scale is None:
        scale = w.abs().amax(dim=-1) / 127
    q = torch.round(w / scale.unsqueeze(-1)).clamp(-127, 127)
    return q.to(torch.int8), scale


def dequantize(q, scale):
    return q.to(scale.dtype) * scale.unsqueeze(-1)
