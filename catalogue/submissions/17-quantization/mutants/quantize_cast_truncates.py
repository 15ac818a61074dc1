# cell: p17-quantize
# expect: trunc
def quantize(w, scale=None):
    if scale is None:
        scale = w.abs().amax(dim=-1) / 127
    safe = torch.where(scale > 0, scale, torch.ones_like(scale))
    q = (w / safe.unsqueeze(-1)).clamp(-127, 127).to(torch.int8)
    return q, scale


def dequantize(q, scale):
    return q.to(scale.dtype) * scale.unsqueeze(-1)
