# cell: p17-quantize
# expect: absmax / 128
def quantize(w, scale=None):
    if scale is None:
        scale = w.abs().amax(dim=-1) / 128
    safe = torch.where(scale > 0, scale, torch.ones_like(scale))
    q = torch.round(w / safe.unsqueeze(-1)).clamp(-128, 127)
    return q.to(torch.int8), scale


def dequantize(q, scale):
    return q.to(scale.dtype) * scale.unsqueeze(-1)
