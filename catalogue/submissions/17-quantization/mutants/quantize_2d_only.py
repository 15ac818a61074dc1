# cell: p17-quantize
# expect: (2, 3)
def quantize(w, scale=None):
    if scale is None:
        scale = w.abs().max(dim=1).values / 127
    safe = torch.where(scale > 0, scale, torch.ones_like(scale))
    q = torch.round(w / safe[:, None]).clamp(-127, 127)
    return q.to(torch.int8), scale


def dequantize(q, scale):
    return q.to(scale.dtype) * scale[:, None]
