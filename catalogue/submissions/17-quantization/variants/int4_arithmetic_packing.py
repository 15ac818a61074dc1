# cell: p17-int4
def pack_int4(q):
    u = q.long() + 8                                  # 0..15
    pairs = u.reshape(*u.shape[:-1], -1, 2)
    return (pairs[..., 0] + 16 * pairs[..., 1]).to(torch.uint8)


def unpack_int4(packed):
    p = packed.long()
    return torch.stack([p % 16 - 8, p // 16 - 8], dim=-1).reshape(*p.shape[:-1], -1).to(torch.int8)


def quantize_int4(w, group_size=64):
    *lead, n = w.shape
    if n % group_size != 0:
        raise ValueError(f"the last dimension {n} is not a multiple of group_size {group_size}")
    groups = w.view(*lead, n // group_size, group_size)
    scales = groups.abs().max(dim=-1).values / 7
    q = torch.zeros_like(groups, dtype=torch.int8)
    nonzero = scales > 0
    q[nonzero] = torch.round(groups[nonzero] / scales[nonzero].unsqueeze(-1)).clamp(-7, 7).to(torch.int8)
    return pack_int4(q.view(*lead, n)), scales


def dequantize_int4(packed, scales, group_size=64):
    q = unpack_int4(packed).to(scales.dtype)
    return (q.view(*q.shape[:-1], -1, group_size) * scales[..., None]).view(q.shape)
