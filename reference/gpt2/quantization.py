"""Problem 17. Weight-only quantization for deployment: int8 per output channel, int4 per group.

int8, symmetric, per output channel ("absmax"): each row ``w[i]`` of a weight (``nn.Linear``'s
``(out, in)`` layout, one row per output channel) gets its own scale
``scale[i] = max_j |w[i, j]| / 127`` and is stored as ``q[i] = clamp(round(w[i] / scale[i]),
-127, 127)`` in int8; ``dequantize`` gives back ``q * scale``, within ``scale / 2`` of ``w``.
An all-zero row gets scale 0 and q 0 (no division by zero, no NaN).

int4, symmetric, per group: every ``group_size`` consecutive weights of a row share a scale
``absmax / 7``; ``q`` in [-7, 7] is stored as the nibble ``q + 8`` (0..15), two per byte,
element ``2k`` in the low nibble and ``2k + 1`` in the high nibble.

``quantize_model`` replaces every ``nn.Linear`` of a ``GPT2Model`` by a quantized one and keeps
the tie between the token embedding and the LM head: the head's quantized table (one row and one
scale per token) *is* the embedding's table, looked up row by row by a ``QuantizedEmbedding``.

The functions carry no decorators: a grader may wrap them to notice calls to the reference.
"""
from __future__ import annotations

import io

import torch
import torch.nn as nn
import torch.nn.functional as F

INT8_MAX = 127
INT4_MAX = 7
INT4_OFFSET = 8


# ----------------------------------------------------------------------------- int8

def quantize(w: torch.Tensor, scale: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric int8 quantization, one scale per row (per output channel).

    w (..., n) floating point -> (q (..., n) int8 in [-127, 127], scale (...,) in w's dtype).
    ``scale`` defaults to the row's absmax / 127; a given one (shape (...,)) is used as it is and
    values beyond ±127·scale clamp to ±127. A row whose scale is 0 gets q 0.
    """
    if scale is None:
        scale = w.abs().amax(dim=-1) / INT8_MAX                # (...,)
    safe = torch.where(scale > 0, scale, torch.ones_like(scale)).unsqueeze(-1)
    q = torch.round(w / safe).clamp(-INT8_MAX, INT8_MAX)       # zero rows: 0 / 1 = 0
    return q.to(torch.int8), scale


def dequantize(q: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """The inverse of ``quantize``: q (..., n) int8, scale (...,) -> q * scale, in scale's dtype."""
    return q.to(scale.dtype) * scale.unsqueeze(-1)             # one scale per row


class QuantizedLinear(nn.Module):
    """A linear layer with int8 weights, one fp scale per output channel, and a fp bias.

    Buffers: ``weight`` (out, in) int8, ``scale`` (out,), ``bias`` (out,) or None.
    forward: x (..., in) -> x @ dequantize(weight, scale).T + bias, (..., out).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 dtype: torch.dtype = torch.float32):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.register_buffer("weight", torch.zeros(out_features, in_features, dtype=torch.int8))
        self.register_buffer("scale", torch.zeros(out_features, dtype=dtype))
        self.register_buffer("bias", torch.zeros(out_features, dtype=dtype) if bias else None)

    @classmethod
    def from_linear(cls, linear: nn.Linear) -> "QuantizedLinear":
        """Quantize ``linear``'s weight (int8, per output channel); copy its bias as it is."""
        w = linear.weight.detach()
        layer = cls(linear.in_features, linear.out_features, linear.bias is not None, dtype=w.dtype)
        q, scale = quantize(w)
        layer.weight.copy_(q)
        layer.scale.copy_(scale)
        if linear.bias is not None:
            layer.bias.copy_(linear.bias.detach())
        return layer.to(w.device)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, dequantize(self.weight, self.scale), self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}, int8"


# ----------------------------------------------------------------------------- int4

def _check_groups(n: int, group_size: int) -> None:
    if group_size <= 0 or group_size % 2:
        raise ValueError(f"group_size must be a positive even number, got {group_size}")
    if n % group_size:
        raise ValueError(f"the last dimension ({n}) must be a multiple of group_size ({group_size})")


def pack_int4(q: torch.Tensor) -> torch.Tensor:
    """Two signed 4-bit values per byte. q (..., n) integers in [-8, 7], n even -> (..., n // 2)
    uint8: the nibble ``q + 8``; element 2k in the low nibble, element 2k + 1 in the high one."""
    if q.shape[-1] % 2:
        raise ValueError(f"pack_int4 needs an even last dimension, got {q.shape[-1]}")
    u = (q.to(torch.int16) + INT4_OFFSET).to(torch.uint8)     # 0..15
    return u[..., 0::2] | (u[..., 1::2] << 4)


def unpack_int4(packed: torch.Tensor) -> torch.Tensor:
    """The inverse of ``pack_int4``: (..., m) uint8 -> (..., 2m) int8 in [-8, 7]."""
    low = (packed & 0x0F).to(torch.int8) - INT4_OFFSET
    high = (packed >> 4).to(torch.int8) - INT4_OFFSET
    return torch.stack([low, high], dim=-1).flatten(-2)        # low, high, low, high, ...


def quantize_int4(w: torch.Tensor, group_size: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric int4 quantization, one scale per group of ``group_size`` consecutive weights.

    w (..., n) -> (packed (..., n // 2) uint8, scales (..., n // group_size) in w's dtype), with
    scale = group absmax / 7 and q = clamp(round(w / scale), -7, 7) (q 0 where the scale is 0).
    ValueError when n is not a multiple of ``group_size``.
    """
    _check_groups(w.shape[-1], group_size)
    groups = w.reshape(*w.shape[:-1], w.shape[-1] // group_size, group_size)
    q, scales = _quantize_groups(groups)
    return pack_int4(q.flatten(-2)), scales


def _quantize_groups(groups: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    scales = groups.abs().amax(dim=-1) / INT4_MAX
    safe = torch.where(scales > 0, scales, torch.ones_like(scales)).unsqueeze(-1)
    return torch.round(groups / safe).clamp(-INT4_MAX, INT4_MAX).to(torch.int8), scales


def dequantize_int4(packed: torch.Tensor, scales: torch.Tensor, group_size: int = 64) -> torch.Tensor:
    """The inverse of ``quantize_int4``: (..., n // 2) uint8 and (..., n // group_size) scales ->
    (..., n) in the scales' dtype."""
    q = unpack_int4(packed)
    groups = q.reshape(*q.shape[:-1], q.shape[-1] // group_size, group_size)
    return (groups.to(scales.dtype) * scales.unsqueeze(-1)).flatten(-2)


class Int4Linear(nn.Module):
    """A linear layer with int4 weights in groups: buffers ``packed`` (out, in // 2) uint8,
    ``scales`` (out, in // group_size), ``bias`` (out,) or None."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, group_size: int = 64,
                 dtype: torch.dtype = torch.float32):
        super().__init__()
        _check_groups(in_features, group_size)
        self.in_features, self.out_features, self.group_size = in_features, out_features, group_size
        self.register_buffer("packed", torch.zeros(out_features, in_features // 2, dtype=torch.uint8))
        self.register_buffer("scales", torch.zeros(out_features, in_features // group_size, dtype=dtype))
        self.register_buffer("bias", torch.zeros(out_features, dtype=dtype) if bias else None)

    @classmethod
    def from_linear(cls, linear: nn.Linear, group_size: int = 64) -> "Int4Linear":
        w = linear.weight.detach()
        layer = cls(linear.in_features, linear.out_features, linear.bias is not None, group_size, w.dtype)
        packed, scales = quantize_int4(w, group_size)
        layer.packed.copy_(packed)
        layer.scales.copy_(scales)
        if linear.bias is not None:
            layer.bias.copy_(linear.bias.detach())
        return layer.to(w.device)

    def dequantized_weight(self) -> torch.Tensor:
        return dequantize_int4(self.packed, self.scales, self.group_size)

    def rows(self, ids: torch.Tensor) -> torch.Tensor:
        """Rows ``ids`` of the dequantized weight: (..., in). Used as an embedding table."""
        return dequantize_int4(self.packed[ids], self.scales[ids], self.group_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.dequantized_weight(), self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}, int4, group_size={self.group_size}")


# ----------------------------------------------------------------------------- the whole model

class QuantizedEmbedding(nn.Module):
    """A token embedding that looks its rows up in a quantized table shared with the LM head.

    ``table`` is the quantized head (a ``QuantizedLinear``, or any module with an int8 ``weight``
    (vocab, n_embd) and one ``scale`` per row; or an ``Int4Linear``): row ``t`` of the head's
    weight is token ``t``'s embedding, and its per-row scale is the token's scale, so one int8
    table serves both uses, as one fp32 matrix did before. input_ids (...) -> (..., n_embd).
    """

    def __init__(self, table: nn.Module):
        super().__init__()
        self.table = table  # a submodule: .to(device) moves the one table, the tie stays

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        if hasattr(self.table, "rows"):
            return self.table.rows(input_ids)
        weight, scale = self.table.weight, self.table.scale
        scale = scale.reshape(-1)
        return weight[input_ids].to(scale.dtype) * scale[input_ids].unsqueeze(-1)

    @property
    def weight(self) -> torch.Tensor:
        return self.table.weight


def quantize_model(model: nn.Module, bits: int = 8, group_size: int = 64) -> nn.Module:
    """Quantize a ``GPT2Model`` in place and return it.

    Every ``nn.Linear`` becomes a ``QuantizedLinear`` (``bits=8``) or an ``Int4Linear``
    (``bits=4``, groups of ``group_size``). The token embedding is quantized per row: when the
    LM head is tied to it, the head's quantized table is the embedding's table (a
    ``QuantizedEmbedding`` on the head), stored once; an untied embedding gets a table of its own.
    Position embeddings, layer norms and biases stay in floating point.
    """
    if bits not in (4, 8):
        raise ValueError(f"bits must be 8 or 4, got {bits}")

    def convert(linear: nn.Linear) -> nn.Module:
        return QuantizedLinear.from_linear(linear) if bits == 8 else Int4Linear.from_linear(linear, group_size)

    wte = model.embeddings.wte
    tied = model.lm_head.weight is wte.weight
    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, nn.Linear):
                setattr(module, name, convert(child))
    if tied:
        table = model.lm_head                                  # (vocab, n_embd): a row and a scale per token
    else:
        table = convert(nn.Linear(wte.embedding_dim, wte.num_embeddings, bias=False,
                                  device=wte.weight.device, dtype=wte.weight.dtype))
        if bits == 8:
            table.weight.copy_(quantize(wte.weight.detach())[0])
            table.scale.copy_(quantize(wte.weight.detach())[1])
        else:
            packed, scales = quantize_int4(wte.weight.detach(), group_size)
            table.packed.copy_(packed)
            table.scales.copy_(scales)
    model.embeddings.wte = QuantizedEmbedding(table)
    return model


# ----------------------------------------------------------------------------- measuring

def state_dict_bytes(module: nn.Module) -> int:
    """Bytes of the tensors in ``module.state_dict()``, each storage counted once (a tied weight,
    or a table shared by two modules, is one tensor stored once, as ``torch.save`` stores it)."""
    seen, total = set(), 0

    def add(value):
        nonlocal total
        if isinstance(value, (tuple, list)):
            for v in value:
                add(v)
        elif torch.is_tensor(value):
            if value.is_quantized:
                key = ("q", value.data_ptr(), value.numel())
                nbytes = value.numel() * value.element_size()
            else:
                storage = value.untyped_storage()
                key = (storage.data_ptr(), storage.nbytes())
                nbytes = storage.nbytes()
            if key not in seen:
                seen.add(key)
                total += nbytes

    for value in module.state_dict().values():
        add(value)
    return total


def saved_bytes(module: nn.Module) -> int:
    """Bytes of ``torch.save(module.state_dict())``: the size on disk."""
    buffer = io.BytesIO()
    torch.save(module.state_dict(), buffer)
    return buffer.getbuffer().nbytes
