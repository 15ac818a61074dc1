"""Unit tests of the reference LoRA module (problem 16), gpt2.lora."""
from __future__ import annotations

import io
import math

import pytest
import torch
import torch.nn as nn

from gpt2 import GPT2Config, GPT2Model
from gpt2.lora import (LoRALinear, apply_lora, count_trainable_parameters, load_lora_state_dict, lora_modules,
                       lora_state_dict, merge_lora, unmerge_lora)

TINY = dict(vocab_size=50, n_positions=16, n_embd=16, n_layer=2, n_head=2,
            resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)


def tiny_model(seed: int = 0) -> GPT2Model:
    torch.manual_seed(seed)
    return GPT2Model(GPT2Config(**TINY)).eval()


def randomise_b(model_or_layer: nn.Module, seed: int = 1) -> None:
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in [model_or_layer] if isinstance(model_or_layer, LoRALinear) else lora_modules(model_or_layer).values():
            m.lora_B.copy_(torch.randn(m.lora_B.shape, generator=gen) * 0.1)


def test_shapes_init_and_frozen_base():
    base = nn.Linear(12, 20)
    layer = LoRALinear(base, r=4, alpha=8)
    assert layer.base is base and layer.lora_A.shape == (4, 12) and layer.lora_B.shape == (20, 4)
    assert not base.weight.requires_grad and not base.bias.requires_grad
    assert layer.lora_A.requires_grad and layer.lora_B.requires_grad
    assert torch.count_nonzero(layer.lora_B) == 0 and torch.count_nonzero(layer.lora_A) == 4 * 12
    bound = 1 / math.sqrt(12)  # kaiming_uniform_(a=√5) on fan_in 12, nn.Linear's own draw
    assert layer.lora_A.abs().max() <= bound and layer.scaling == 2.0
    x = torch.randn(3, 5, 12)
    assert torch.equal(layer(x), base(x))


def test_output_follows_the_formula():
    layer = LoRALinear(nn.Linear(8, 6), r=3, alpha=5)
    randomise_b(layer)
    x = torch.randn(4, 8, dtype=torch.float32)
    expected = layer.base(x) + x @ layer.lora_A.T @ layer.lora_B.T * (5 / 3)
    torch.testing.assert_close(layer(x), expected)


def test_gradients_reach_a_and_b_only():
    layer = LoRALinear(nn.Linear(8, 6), r=2, alpha=4)
    randomise_b(layer)
    layer(torch.randn(5, 8)).pow(2).sum().backward()
    assert layer.base.weight.grad is None and layer.base.bias.grad is None
    assert layer.lora_A.grad.abs().sum() > 0 and layer.lora_B.grad.abs().sum() > 0


def test_merge_equals_unmerged_and_unmerge_restores_the_base():
    layer = LoRALinear(nn.Linear(16, 24), r=4, alpha=16).eval()
    randomise_b(layer)
    original = layer.base.weight.detach().clone()
    x = torch.randn(3, 7, 16)
    with torch.no_grad():
        unmerged = layer(x)
        layer.merge()
        layer.merge()  # idempotent
        merged = layer(x)
    assert layer.merged and (merged - unmerged).abs().max() <= 1e-5
    torch.testing.assert_close(layer.base.weight, original + 4 * layer.lora_B @ layer.lora_A)
    layer.unmerge()
    layer.unmerge()
    assert not layer.merged and (layer.base.weight - original).abs().max() <= 1e-6
    assert not layer.base.weight.requires_grad


def test_dropout_acts_on_the_lora_input_in_training_only():
    layer = LoRALinear(nn.Linear(32, 32), r=32, alpha=32, dropout=0.5)
    with torch.no_grad():
        layer.lora_A.copy_(torch.eye(32))
        layer.lora_B.copy_(torch.eye(32))
    x = torch.randn(64, 32)
    with torch.no_grad():
        assert torch.equal(layer.eval()(x), layer(x))
        delta = layer.train()(x) - layer.base(x)   # dropout(x) with A = B = I, scaling 1
    kept = delta != 0
    assert 0.4 < 1 - kept.float().mean() < 0.6
    torch.testing.assert_close(delta[kept], x[kept] * 2)


def test_errors():
    with pytest.raises(ValueError, match="r"):
        LoRALinear(nn.Linear(4, 4), r=0, alpha=1)
    with pytest.raises(ValueError):
        LoRALinear(nn.Linear(4, 4), r=2.0, alpha=1)
    with pytest.raises(ValueError, match="alpha"):
        LoRALinear(nn.Linear(4, 4), r=2, alpha=0)
    with pytest.raises(TypeError):
        LoRALinear(nn.Conv1d(4, 4, 1), r=2, alpha=1)
    with pytest.raises(ValueError, match="c_atn"):
        apply_lora(tiny_model(), r=2, alpha=4, targets=("c_atn",))


def test_follows_the_base_dtype_and_device():
    layer = LoRALinear(nn.Linear(4, 6).double(), r=2, alpha=2)
    assert layer.lora_A.dtype == layer.lora_B.dtype == torch.float64
    with torch.device("meta"):
        base = nn.Linear(4, 6)
    assert LoRALinear(base, r=2, alpha=2).lora_A.device.type == "meta"


def test_trainable_count_on_gpt2_small_geometry():
    with torch.device("meta"):
        model = GPT2Model(GPT2Config.gpt2_small())
    apply_lora(model, r=8, alpha=16)
    assert count_trainable_parameters(model) == 12 * 8 * (768 + 2304) == 294_912
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable == {f"h.{i}.attn.c_attn.lora_{ab}" for i in range(12) for ab in "AB"}


def test_apply_lora_targets_keeps_output_bias_and_tie():
    model = tiny_model()
    x = torch.randint(0, 50, (2, 9))
    with torch.no_grad():
        before = model(x)
    weights = {n: m.weight for n, m in model.named_modules() if isinstance(m, nn.Linear)}
    apply_lora(model, r=2, alpha=4, targets=("c_attn", "c_proj"))
    names = set(lora_modules(model))
    assert names == {f"h.{i}.{s}" for i in range(2) for s in ("attn.c_attn", "attn.c_proj", "mlp.c_proj")}
    for name, layer in lora_modules(model).items():
        assert layer.base.weight is weights[name] and layer.base.bias is not None
    assert model.lm_head.weight is model.embeddings.wte.weight and not model.lm_head.weight.requires_grad
    C = 16
    assert count_trainable_parameters(model) == 2 * 2 * ((C + 3 * C) + (C + C) + (4 * C + C))
    with torch.no_grad():
        assert torch.equal(model(x), before)


def test_training_moves_only_the_adapter():
    model = apply_lora(tiny_model(), r=4, alpha=8)
    frozen = {n: p.detach().clone() for n, p in model.named_parameters() if not p.requires_grad}
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    x = torch.randint(0, 50, (4, 12))
    losses = []
    for _ in range(5):
        loss = nn.functional.cross_entropy(model(x[:, :-1]).flatten(0, 1), x[:, 1:].flatten())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
    assert all(torch.equal(p, frozen[n]) for n, p in model.named_parameters() if n in frozen)


def test_adapter_round_trip_is_small_and_restores_the_model():
    model = apply_lora(tiny_model(), r=2, alpha=4)
    randomise_b(model)
    adapter = lora_state_dict(model)
    assert set(adapter) == {f"h.{i}.attn.c_attn.lora_{ab}" for i in range(2) for ab in "AB"}
    adapter_file, full_file = io.BytesIO(), io.BytesIO()
    torch.save(adapter, adapter_file)
    torch.save(model.state_dict(), full_file)
    assert adapter_file.tell() < 0.2 * full_file.tell()
    adapter_file.seek(0)
    fresh = apply_lora(tiny_model(), r=2, alpha=4)
    load_lora_state_dict(fresh, torch.load(adapter_file))
    x = torch.randint(0, 50, (2, 9))
    with torch.no_grad():
        assert torch.equal(fresh(x), model(x))
        merge_lora(fresh)
        assert (fresh(x) - model(x)).abs().max() <= 1e-5
        unmerge_lora(fresh)
    with pytest.raises(ValueError):
        load_lora_state_dict(apply_lora(tiny_model(), r=3, alpha=4), adapter)
    with pytest.raises(ValueError):
        load_lora_state_dict(fresh, {k: v for k, v in adapter.items() if "h.0" in k})


@pytest.mark.slow
def test_lora_equals_hf_gpt2_with_the_update_folded_in():
    """Parity with HuggingFace: our adapted model equals GPT2LMHeadModel whose c_attn holds W + (alpha/r) B A."""
    pytest.importorskip("transformers")
    from gpt2.pretrained import convert_hf_state_dict
    from gpt2.testing import random_hf_gpt2

    hf = random_hf_gpt2(seed=0, vocab_size=50, n_positions=16, n_embd=16, n_layer=2, n_head=2)

    model = GPT2Model(GPT2Config(**TINY)).eval()
    shapes = {n: tuple(t.shape) for n, t in model.state_dict().items()}
    model.load_state_dict(convert_hf_state_dict(hf.state_dict(), 2, shapes))
    apply_lora(model, r=4, alpha=8)
    randomise_b(model)
    with torch.no_grad():
        for i, layer in enumerate(lora_modules(model).values()):
            hf.transformer.h[i].attn.c_attn.weight += layer.delta_weight().T  # Conv1D stores (in, out)
        x = torch.randint(0, 50, (2, 10))
        assert (model(x) - hf(x).logits).abs().max() <= 1e-4
