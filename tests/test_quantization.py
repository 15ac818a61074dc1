"""gpt2.quantization (problem 17): int8 per channel, int4 per group, whole-model quantization."""
from __future__ import annotations

import copy

import pytest
import torch
import torch.nn as nn

import gpt2
from gpt2.quantization import (Int4Linear, QuantizedEmbedding, QuantizedLinear, dequantize, dequantize_int4,
                               pack_int4, quantize, quantize_int4, quantize_model, saved_bytes, state_dict_bytes,
                               unpack_int4)


def tiny(seed: int = 0, **sizes) -> gpt2.GPT2Model:
    config = dict(vocab_size=96, n_positions=32, n_embd=64, n_layer=2, n_head=4)
    config.update(sizes)
    torch.manual_seed(seed)
    return gpt2.GPT2Model(gpt2.GPT2Config(**config)).eval()


@pytest.mark.parametrize("shape", [(6, 40), (40, 6), (2, 3, 16), (17,)])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_round_trip_within_half_a_step(shape, dtype):
    w = torch.randn(shape, dtype=dtype, generator=torch.Generator().manual_seed(0))
    q, scale = quantize(w)
    assert q.dtype == torch.int8 and q.shape == w.shape
    assert scale.shape == w.shape[:-1] and scale.dtype == dtype
    torch.testing.assert_close(scale, w.abs().amax(-1) / 127)
    assert q.abs().max() == 127  # the absmax maps to ±127
    back = dequantize(q, scale)
    assert back.dtype == dtype
    assert ((back - w).abs() <= scale.unsqueeze(-1) / 2 * (1 + 1e-6)).all()


def test_zero_rows_give_zero_scale_and_codes_without_nan():
    w = torch.randn(4, 8)
    w[1] = 0
    q, scale = quantize(w)
    assert scale[1] == 0 and (q[1] == 0).all()
    assert torch.isfinite(dequantize(q, scale)).all() and (dequantize(q, scale)[1] == 0).all()


def test_given_scale_clamps_to_127():
    w = torch.tensor([[1.0, -1.0, 0.5]])
    q, _ = quantize(w, scale=torch.tensor([1.0 / 300]))
    assert q.tolist() == [[127, -127, 127]]  # 300 and 150 clamp; the int8 cast alone would wrap


def test_quantize_leaves_input_alone():
    w = torch.randn(3, 5)
    before = w.clone()
    quantize(w)
    assert torch.equal(w, before)


@pytest.mark.parametrize("bias", [True, False])
def test_quantized_linear_buffers_output_bound_and_state_dict(bias):
    torch.manual_seed(0)
    linear = nn.Linear(48, 20, bias=bias)
    layer = QuantizedLinear.from_linear(linear)
    state = layer.state_dict()
    assert state["weight"].dtype == torch.int8 and state["weight"].shape == (20, 48)
    assert state["scale"].shape == (20,)
    if bias:
        assert torch.equal(state["bias"], linear.bias.detach())
    else:
        assert "bias" not in state
    x = torch.randn(2, 5, 48)
    with torch.no_grad():
        error = (layer(x) - linear(x)).abs()
    bound = x.abs() @ (state["scale"] / 2).expand(48, 20) + 1e-5
    assert (error <= bound).all()
    fresh = QuantizedLinear(48, 20, bias=bias)
    fresh.load_state_dict(state)
    torch.testing.assert_close(fresh(x), layer(x))
    assert layer.to(torch.float64).weight.dtype == torch.int8


def test_storage_bytes_from_the_state_dict():
    linear = nn.Linear(256, 128)
    layer = QuantizedLinear.from_linear(linear)
    assert state_dict_bytes(linear) == (256 * 128 + 128) * 4
    assert state_dict_bytes(layer) == 256 * 128 + 128 * 4 + 128 * 4
    assert 0 < saved_bytes(layer) - state_dict_bytes(layer) < 4096  # torch.save adds a small header


def test_tied_weight_counted_once():
    model = tiny()
    assert state_dict_bytes(model) == model.num_parameters() * 4


def test_quantized_model_logits_close_smaller_and_tie_kept():
    model = tiny()
    ids = torch.randint(0, 96, (2, 20), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        exact = model(ids)
    quantized = quantize_model(copy.deepcopy(model))
    assert not any(isinstance(m, nn.Linear) for m in quantized.modules())
    assert isinstance(quantized.embeddings.wte, QuantizedEmbedding)
    assert quantized.embeddings.wte.table is quantized.lm_head  # one int8 table
    with torch.no_grad():
        assert (quantized(ids) - exact).abs().max() < 0.02
    # int8 weights everywhere, the table once; fp32 wpe, layer norms, biases and scales
    config = model.config
    linear_weights = sum(m.weight.numel() for m in model.modules() if isinstance(m, nn.Linear)
                         and m is not model.lm_head) + config.vocab_size * config.n_embd
    rows = sum(m.out_features for m in model.modules() if isinstance(m, nn.Linear))
    floats = model.num_parameters() - linear_weights
    assert state_dict_bytes(quantized) == linear_weights + 4 * (rows + floats)
    assert state_dict_bytes(model) / state_dict_bytes(quantized) > 3.4
    moved = quantized.to(torch.float64)
    assert moved.embeddings.wte.table is moved.lm_head
    with torch.no_grad():
        torch.testing.assert_close(moved.embeddings.wte(ids[:, :3]),
                                   dequantize(moved.lm_head.weight, moved.lm_head.scale)[ids[:, :3]])


def test_int4_model_is_smaller_still_and_close():
    model = tiny()
    ids = torch.randint(0, 96, (2, 20), generator=torch.Generator().manual_seed(1))
    quantized = quantize_model(copy.deepcopy(model), bits=4, group_size=64)
    assert isinstance(quantized.lm_head, Int4Linear) and quantized.embeddings.wte.table is quantized.lm_head
    with torch.no_grad():
        assert (quantized(ids) - model(ids)).abs().max() < 0.5
    assert state_dict_bytes(model) / state_dict_bytes(quantized) > 5.5
    with pytest.raises(ValueError, match="bits"):
        quantize_model(copy.deepcopy(model), bits=3)


def test_int4_pack_unpack_round_trip_and_format():
    q = torch.arange(-8, 8, dtype=torch.int8)
    packed = pack_int4(q)
    assert packed.dtype == torch.uint8 and packed.shape == (8,)
    assert packed[0].item() == (0 + 8 - 8) | ((1 + 8 - 8) << 4) == 0x10  # -8 -> 0 low, -7 -> 1 high
    assert torch.equal(unpack_int4(packed), q)
    every = torch.arange(256, dtype=torch.uint8).reshape(2, 4, 32)
    assert torch.equal(pack_int4(unpack_int4(every)), every)
    with pytest.raises(ValueError):
        pack_int4(torch.zeros(3, dtype=torch.int8))


@pytest.mark.parametrize("group", [64, 128])
def test_int4_groups_round_trip_within_half_a_step(group):
    w = torch.randn(2, 3, 256, generator=torch.Generator().manual_seed(2))
    w[0, 0, :group] = 0
    packed, scales = quantize_int4(w, group)
    assert packed.shape == (2, 3, 128) and scales.shape == (2, 3, 256 // group)
    assert scales[0, 0, 0] == 0
    back = dequantize_int4(packed, scales, group)
    error = (back - w).reshape(2, 3, -1, group).abs()
    assert (error <= scales.unsqueeze(-1) / 2 * (1 + 1e-6)).all()
    with pytest.raises(ValueError, match="multiple"):
        quantize_int4(torch.randn(3, 96), 64)


def test_quantized_layers_follow_the_device_of_the_linear():
    layer = Int4Linear.from_linear(nn.Linear(64, 8))
    assert layer.to("meta").packed.device.type == "meta"
