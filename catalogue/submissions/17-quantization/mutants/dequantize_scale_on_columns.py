# cell: p17-quantize
# expect: scale.unsqueeze(-1)
def quantize(w, scale=None):
    if scale is None:
        scale = w.abs().amax(dim=-1) / 127
    safe = torch.where(scale > 0, scale, torch.ones_like(scale))
    q = torch.round(w / safe.unsqueeze(-1)).clamp(-127, 127)
    return q.to(torch.int8), scale


def dequantize(q, scale):
    return q.to(scale.dtype) * scale
