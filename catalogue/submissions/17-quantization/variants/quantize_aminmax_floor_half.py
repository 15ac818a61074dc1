# cell: p17-quantize
def quantize(w, scale=None):
    if scale is None:
        lo, hi = torch.aminmax(w, dim=-1)
        scale = torch.maximum(hi, -lo) / 127.0
    s = scale[..., None]
    safe = s.masked_fill(s == 0, 1.0)
    q = torch.floor(w / safe + 0.5)                 # round half up; equal to torch.round except at ties
    q = torch.minimum(torch.maximum(q, torch.full_like(q, -127)), torch.full_like(q, 127))
    return q.type(torch.int8), scale


def dequantize(q, scale):
    return q.type(scale.dtype) * scale[..., None]
