# cell: p17-quantize
# expect: per-tensor
def quantize(w, scale=None):
    if scale is None:
        scale = w.abs().max() / 127
    q = torch.round(w / scale).clamp(-127, 127)
    return q.to(torch.int8), scale


def dequantize(q, scale):
    return q.float() * scale
