# cell: p17-int4
# expect: int4 scales
def pack_int4(q):
    u = (q.to(torch.int16) + 8).to(torch.uint8)
    return u[..., 0::2] | (u[..., 1::2] << 4)


def unpack_int4(packed):
    low = (packed & 0x0F).to(torch.int8) - 8
    high = (packed >> 4).to(torch.int8) - 8
    return torch.stack([low, high], dim=-1).flatten(-2)


def quantize_int4(w, group_size=64):
    n = w.shape[-1]
    if n % group_size:
        raise ValueError(f"{n} is not a multiple of {group_size}")
    groups = w.reshape(*w.shape[:-1], group_size, n // group_size).transpose(-1, -2)
    scales = groups.abs().amax(dim=-1) / 7
    safe = torch.where(scales > 0, scales, torch.ones_like(scales)).unsqueeze(-1)
    q = torch.round(groups / safe).clamp(-7, 7).to(torch.int8)
    return pack_int4(q.transpose(-1, -2).reshape(w.shape)), scales


def dequantize_int4(packed, scales, group_size=64):
    q = unpack_int4(packed)
    groups = q.reshape(*q.shape[:-1], group_size, q.shape[-1] // group_size).transpose(-1, -2)
    return (groups.to(scales.dtype) * scales.unsqueeze(-1)).transpose(-1, -2).flatten(-2)
