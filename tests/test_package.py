"""Unit tests of the reference package ``gpt2``, through its public behaviour.

Small configurations throughout, so the whole file runs in seconds on a CPU.
"""
from __future__ import annotations

import dataclasses
import math

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import gpt2
from gpt2 import (
    CausalMultiHeadAttention,
    Embeddings,
    FeedForward,
    GPT2Config,
    GPT2Model,
    LayerNorm,
    MultiHeadAttention,
    NewGELU,
    ResidualBlock,
    ScaledDotProductAttention,
    SimpleAttention,
    TransformerBlock,
)
from gpt2.config import PRESETS, count_parameters, feedforward_width
from gpt2.pretrained import config_from_hf
from gpt2.testing import (
    assert_close,
    assert_follows_input_device,
    check_against_reference,
    copy_weights,
    matches,
)

B, T, C, H, N_POS, VOCAB = 2, 7, 16, 4, 12, 50


def tiny_config(**overrides) -> GPT2Config:
    return GPT2Config(**{"vocab_size": VOCAB, "n_positions": N_POS, "n_embd": C, "n_layer": 2,
                         "n_head": H, **overrides})


def randn(*shape, seed: int = 0) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def random_ids(*shape, vocab: int = VOCAB, seed: int = 0) -> torch.Tensor:
    return torch.randint(0, vocab, shape, generator=torch.Generator().manual_seed(seed))


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


# --- Embeddings ------------------------------------------------------------------------------

def test_embeddings_shape_and_values():
    emb = Embeddings(VOCAB, N_POS, C, dropout=0.1).eval()
    ids = random_ids(B, T)
    out = emb(ids)
    assert out.shape == (B, T, C)
    expected = emb.wte.weight[ids] + emb.wpe.weight[:T].unsqueeze(0)
    torch.testing.assert_close(out, expected)


def test_embeddings_accepts_full_context():
    emb = Embeddings(VOCAB, N_POS, C, dropout=0.0)
    assert emb(random_ids(1, N_POS)).shape == (1, N_POS, C)


def test_embeddings_too_long_raises():
    emb = Embeddings(VOCAB, N_POS, C, dropout=0.0)
    with pytest.raises(ValueError, match="n_positions"):
        emb(random_ids(1, N_POS + 1))


# --- SimpleAttention / ScaledDotProductAttention -----------------------------------------------

def test_simple_attention_shapes_and_rows_sum_to_one():
    attn = SimpleAttention(C)
    out, weights = attn(randn(B, T, C))
    assert out.shape == (B, T, C)
    assert weights.shape == (B, T, T)
    torch.testing.assert_close(weights.sum(-1), torch.ones(B, T))
    assert (weights >= 0).all()


def test_simple_attention_is_unscaled():
    attn = SimpleAttention(C)
    x = randn(B, T, C)
    q, k, v = attn.q_proj(x), attn.k_proj(x), attn.v_proj(x)
    expected_w = torch.softmax(q @ k.transpose(-2, -1), dim=-1)
    out, weights = attn(x)
    torch.testing.assert_close(weights, expected_w)
    torch.testing.assert_close(out, expected_w @ v)


def test_sdpa_shapes_and_rows_sum_to_one():
    sdpa = ScaledDotProductAttention(C, dropout=0.1).eval()
    q, k, v = randn(B, H, T, 8, seed=1), randn(B, H, T, 8, seed=2), randn(B, H, T, 8, seed=3)
    out, weights = sdpa(q, k, v)
    assert out.shape == (B, H, T, 8)
    assert weights.shape == (B, H, T, T)
    torch.testing.assert_close(weights.sum(-1), torch.ones(B, H, T))


def test_sdpa_takes_queries_and_keys_of_different_lengths_without_n_embd():
    sdpa = ScaledDotProductAttention(dropout=0.0)  # n_embd is optional: the scale comes from q
    q, k, v = randn(B, H, 3, 8, seed=1), randn(B, H, T, 8, seed=2), randn(B, H, T, 5, seed=3)
    out, weights = sdpa(q, k, v)
    assert out.shape == (B, H, 3, 5) and weights.shape == (B, H, 3, T)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v), atol=1e-5, rtol=1e-5)


def test_sdpa_weights_are_pre_dropout_distribution_in_train_mode():
    sdpa = ScaledDotProductAttention(C, dropout=0.5).train()
    q, k, v = randn(B, T, 8, seed=1), randn(B, T, 8, seed=2), randn(B, T, 8, seed=3)
    _, weights = sdpa(q, k, v)
    torch.testing.assert_close(weights.sum(-1), torch.ones(B, T))


@pytest.mark.parametrize("shape", [(B, T, 8), (B, H, T, 8)])
def test_sdpa_matches_torch_without_mask(shape):
    sdpa = ScaledDotProductAttention(C, dropout=0.1).eval()
    q, k, v = randn(*shape, seed=1), randn(*shape, seed=2), randn(*shape, seed=3)
    out, _ = sdpa(q, k, v)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v), atol=1e-5, rtol=1e-5)


def test_sdpa_matches_torch_with_causal_bool_mask():
    sdpa = ScaledDotProductAttention(C, dropout=0.1).eval()
    q, k, v = randn(B, H, T, 8, seed=1), randn(B, H, T, 8, seed=2), randn(B, H, T, 8, seed=3)
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    out, weights = sdpa(q, k, v, mask=mask)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, attn_mask=mask),
                               atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, is_causal=True),
                               atol=1e-5, rtol=1e-5)
    assert (weights.masked_select(~mask) == 0).all()
    torch.testing.assert_close(weights.sum(-1), torch.ones(B, H, T))


def test_sdpa_dropout_only_in_train_mode():
    sdpa = ScaledDotProductAttention(C, dropout=0.5)
    q, k, v = randn(B, T, 8, seed=1), randn(B, T, 8, seed=2), randn(B, T, 8, seed=3)
    sdpa.eval()
    torch.testing.assert_close(sdpa(q, k, v)[0], sdpa(q, k, v)[0])
    sdpa.train()
    torch.manual_seed(1)
    a = sdpa(q, k, v)[0]
    torch.manual_seed(2)
    b = sdpa(q, k, v)[0]
    assert not torch.allclose(a, b)


# --- MultiHeadAttention ----------------------------------------------------------------------

def test_mha_shapes():
    mha = MultiHeadAttention(C, H).eval()
    x = randn(B, T, C)
    assert mha(x).shape == (B, T, C)
    out, weights = mha(x, return_weights=True)
    assert out.shape == (B, T, C)
    assert weights.shape == (B, H, T, T)
    torch.testing.assert_close(weights.sum(-1), torch.ones(B, H, T))


def test_mha_split_and_merge_heads_are_inverse():
    mha = MultiHeadAttention(C, H)
    x = randn(B, T, C)
    split = mha.split_heads(x)
    assert split.shape == (B, H, T, C // H)
    torch.testing.assert_close(split[:, 1], x[..., C // H: 2 * C // H])
    torch.testing.assert_close(mha.merge_heads(split), x)


def test_mha_one_head_equals_single_head_attention():
    mha = MultiHeadAttention(C, 1, dropout=0.1).eval()
    x = randn(B, T, C)
    q, k, v = mha.c_attn(x).split(C, dim=-1)
    weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(C), dim=-1)
    expected = mha.c_proj(weights @ v)
    torch.testing.assert_close(mha(x), expected, atol=1e-6, rtol=1e-5)


def test_mha_equals_heads_computed_one_by_one():
    mha = MultiHeadAttention(C, H, dropout=0.1).eval()
    x = randn(B, T, C)
    D = C // H
    q, k, v = mha.c_attn(x).split(C, dim=-1)
    heads = []
    for h in range(H):
        sl = slice(h * D, (h + 1) * D)
        w = torch.softmax(q[..., sl] @ k[..., sl].transpose(-2, -1) / math.sqrt(D), dim=-1)
        heads.append(w @ v[..., sl])
    expected = mha.c_proj(torch.cat(heads, dim=-1))
    torch.testing.assert_close(mha(x), expected, atol=1e-6, rtol=1e-5)


def test_mha_rejects_indivisible_heads():
    with pytest.raises(ValueError, match="divisible"):
        MultiHeadAttention(10, 3)


# --- CausalMultiHeadAttention ----------------------------------------------------------------

def test_causal_mha_shapes_and_lower_triangular_weights():
    attn = CausalMultiHeadAttention(C, H, N_POS).eval()
    out, weights = attn(randn(B, T, C), return_weights=True)
    assert out.shape == (B, T, C)
    assert weights.shape == (B, H, T, T)
    upper = ~torch.tril(torch.ones(T, T, dtype=torch.bool))
    assert (weights[..., upper] == 0).all()
    torch.testing.assert_close(weights.sum(-1), torch.ones(B, H, T))


def test_causal_mha_future_tokens_do_not_change_the_past():
    attn = CausalMultiHeadAttention(C, H, N_POS).eval()
    x = randn(B, T, C)
    cut = 4
    y = x.clone()
    y[:, cut:] = randn(B, T - cut, C, seed=9) * 10
    out_x, out_y = attn(x), attn(y)
    torch.testing.assert_close(out_x[:, :cut], out_y[:, :cut], atol=1e-6, rtol=1e-5)
    assert not torch.allclose(out_x[:, cut:], out_y[:, cut:])


def test_causal_mha_matches_torch_causal_attention():
    attn = CausalMultiHeadAttention(C, H, N_POS).eval()
    x = randn(B, T, C)
    q, k, v = (attn.split_heads(t) for t in attn.c_attn(x).split(C, dim=-1))
    expected = attn.c_proj(attn.merge_heads(F.scaled_dot_product_attention(q, k, v, is_causal=True)))
    torch.testing.assert_close(attn(x), expected, atol=1e-5, rtol=1e-5)


def test_causal_mha_mask_is_not_in_state_dict():
    attn = CausalMultiHeadAttention(C, H, N_POS)
    assert not any("mask" in name for name in attn.state_dict())


def test_causal_mha_too_long_raises():
    attn = CausalMultiHeadAttention(C, H, N_POS)
    attn(randn(1, N_POS, C))  # exactly n_positions is fine
    with pytest.raises(ValueError, match="n_positions"):
        attn(randn(1, N_POS + 1, C))


# --- NewGELU / FeedForward -------------------------------------------------------------------

def test_new_gelu_equals_torch_tanh_gelu():
    x = torch.linspace(-8, 8, 1001)
    torch.testing.assert_close(NewGELU()(x), F.gelu(x, approximate="tanh"), atol=1e-6, rtol=1e-5)
    assert NewGELU()(randn(B, T, C)).shape == (B, T, C)


def test_new_gelu_is_not_exact_gelu_or_relu():
    x = torch.tensor([-1.5, -0.5, 0.5, 1.5])
    y = NewGELU()(x)
    assert not torch.allclose(y, F.relu(x))
    assert not torch.allclose(y, F.gelu(x), atol=1e-6, rtol=0)


@pytest.mark.parametrize("n_inner", [4 * C, 40])
def test_feedforward_width_and_shape(n_inner):
    ff = FeedForward(C, n_inner).eval()
    assert ff.c_fc.in_features == C and ff.c_fc.out_features == n_inner
    assert ff.c_proj.in_features == n_inner and ff.c_proj.out_features == C
    x = randn(B, T, C)
    out = ff(x)
    assert out.shape == (B, T, C)
    torch.testing.assert_close(out, ff.c_proj(F.gelu(ff.c_fc(x), approximate="tanh")),
                               atol=1e-6, rtol=1e-5)


def test_feedforward_dropout_only_in_train_mode():
    ff = FeedForward(C, 4 * C, dropout=0.5)
    x = randn(B, T, C)
    ff.eval()
    torch.testing.assert_close(ff(x), ff(x))
    ff.train()
    assert (ff(x) == 0).any()


# --- LayerNorm / ResidualBlock / TransformerBlock --------------------------------------------

@pytest.mark.parametrize("shape", [(C,), (T, C), (B, T, C), (2, 3, 4, C)])
def test_layer_norm_equals_torch_s_on_random_affine_parameters(shape):
    ours, torch_s = LayerNorm(C, eps=1e-3), nn.LayerNorm(C, eps=1e-3)
    assert ours.state_dict().keys() == torch_s.state_dict().keys()
    torch.testing.assert_close(ours.weight, torch.ones(C)), torch.testing.assert_close(ours.bias, torch.zeros(C))
    with torch.no_grad():
        torch_s.weight.copy_(randn(C, seed=1)), torch_s.bias.copy_(randn(C, seed=2))
    ours.load_state_dict(torch_s.state_dict())
    x = randn(*shape, seed=3) * 4 - 2
    torch.testing.assert_close(ours(x), torch_s(x), atol=1e-5, rtol=1e-5)


def test_layer_norm_survives_a_large_common_offset():
    x = randn(B, T, C, seed=6) + 1e4  # E[x²] - E[x]² loses every digit of the variance here
    out = LayerNorm(C)(x)
    exact = F.layer_norm(x.double(), (C,)).float()  # fp32 holds 1e4 to ~1e-3, hence the tolerance
    torch.testing.assert_close(out, exact, atol=5e-3, rtol=0)
    one_pass_variance = (x.pow(2).mean(-1) - x.mean(-1).pow(2)).clamp_min(0)
    assert (one_pass_variance - x.var(-1, unbiased=False)).abs().max() > 0.5  # what the test guards against


def test_residual_block_is_pre_norm():
    block = ResidualBlock(C)
    with torch.no_grad():
        block.ln.weight.copy_(randn(C, seed=4))
        block.ln.bias.copy_(randn(C, seed=5))
    sub = nn.Linear(C, C)
    x = randn(B, T, C) * 3 + 1
    out = block(x, sub)
    torch.testing.assert_close(out, x + sub(block.ln(x)))
    assert out.shape == (B, T, C)
    # not post-norm, and not a missing residual
    assert not torch.allclose(out, block.ln(x + sub(x)), atol=1e-3)
    assert not torch.allclose(out, sub(block.ln(x)), atol=1e-3)


def test_residual_block_passes_normalised_input_to_sublayer():
    block = ResidualBlock(C, layer_norm_epsilon=1e-5)
    seen = []
    x = randn(B, T, C) * 5 + 3
    block(x, lambda h: seen.append(h) or torch.zeros_like(h))
    torch.testing.assert_close(seen[0].mean(-1), torch.zeros(B, T), atol=1e-5, rtol=0)
    torch.testing.assert_close(seen[0].var(-1, unbiased=False), torch.ones(B, T), atol=1e-3, rtol=0)


def test_residual_block_uses_epsilon():
    assert ResidualBlock(C, layer_norm_epsilon=1e-3).ln.eps == 1e-3


def test_transformer_block_shape_and_composition():
    block = TransformerBlock(C, H, N_POS).eval()
    x = randn(B, T, C)
    out = block(x)
    assert out.shape == (B, T, C)
    h = x + block.attn(block.ln_1(x))
    expected = h + block.mlp(block.ln_2(h))
    torch.testing.assert_close(out, expected)
    assert block.mlp.c_fc.out_features == 4 * C


def test_transformer_block_mlp_width_defaults_to_config_rule_and_honours_n_inner():
    assert TransformerBlock(C, H, N_POS).mlp.c_fc.out_features == feedforward_width(C)
    block = TransformerBlock(C, H, N_POS, 0.0, 1e-5, None, n_inner=40)  # positional args unchanged
    assert (block.mlp.c_fc.out_features, block.mlp.c_proj.in_features) == (40, 40)
    assert block.mlp.c_proj.out_features == C


def test_model_blocks_use_config_n_inner():
    cfg = tiny_config()
    assert all(block.mlp.c_fc.out_features == cfg.n_inner for block in GPT2Model(cfg).h)


def test_transformer_block_is_causal():
    block = TransformerBlock(C, H, N_POS).eval()
    x = randn(B, T, C)
    y = x.clone()
    y[:, -1] += 5
    torch.testing.assert_close(block(x)[:, :-1], block(y)[:, :-1], atol=1e-6, rtol=1e-5)


# --- GPT2Config ------------------------------------------------------------------------------

def test_config_defaults_are_gpt2_small():
    cfg = GPT2Config()
    assert (cfg.vocab_size, cfg.n_positions, cfg.n_embd, cfg.n_layer, cfg.n_head) == (50257, 1024, 768, 12, 12)
    assert (cfg.resid_pdrop, cfg.embd_pdrop, cfg.attn_pdrop, cfg.layer_norm_epsilon) == (0.1, 0.1, 0.1, 1e-5)
    assert cfg == GPT2Config.gpt2_small()


@pytest.mark.parametrize("n_embd", [16, 768, 1600])
def test_config_n_inner_is_four_times_n_embd(n_embd):
    cfg = GPT2Config(n_embd=n_embd, n_head=1)
    assert cfg.n_inner == 4 * n_embd == feedforward_width(n_embd)
    assert cfg.head_dim == n_embd


def test_config_n_inner_is_derived_not_a_field():
    with pytest.raises(TypeError):
        GPT2Config(n_inner=100)  # type: ignore[call-arg]


def test_config_rejects_indivisible_heads():
    with pytest.raises(ValueError, match=r"n_embd \(10\) must be divisible by n_head \(3\)"):
        GPT2Config(n_embd=10, n_head=3)


@pytest.mark.parametrize("field", ["vocab_size", "n_positions", "n_embd", "n_layer", "n_head"])
@pytest.mark.parametrize("value", [0, -1, True, 2.0, 12.5, None, "12"])
def test_config_rejects_non_positive_or_non_integer_sizes(field, value):
    with pytest.raises(ValueError, match=f"{field} must be a positive integer"):
        GPT2Config(**{field: value})


@pytest.mark.parametrize("field", ["resid_pdrop", "embd_pdrop", "attn_pdrop"])
@pytest.mark.parametrize("value", [-0.1, 1.0, 1.5, float("nan")])
def test_config_rejects_dropout_outside_unit_interval(field, value):
    with pytest.raises(ValueError, match=rf"{field} is a dropout probability in \[0, 1\)"):
        GPT2Config(**{field: value})


@pytest.mark.parametrize("value", [0, 0.0, 0.5, 0.999])
def test_config_accepts_dropout_in_unit_interval(value):
    GPT2Config(resid_pdrop=value, embd_pdrop=value, attn_pdrop=value)


@pytest.mark.parametrize("value", [0.0, -1e-5, float("nan")])
def test_config_rejects_bad_layer_norm_epsilon(value):
    with pytest.raises(ValueError, match="layer_norm_epsilon must be positive"):
        GPT2Config(layer_norm_epsilon=value)


@pytest.mark.parametrize("preset, sizes", [
    (GPT2Config.gpt2_small, (12, 12, 768)),
    (GPT2Config.gpt2_medium, (24, 16, 1024)),
    (GPT2Config.gpt2_large, (36, 20, 1280)),
    (GPT2Config.gpt2_xl, (48, 25, 1600)),
])
def test_config_presets(preset, sizes):
    cfg = preset()
    assert (cfg.n_layer, cfg.n_head, cfg.n_embd) == sizes
    assert (cfg.vocab_size, cfg.n_positions) == (50257, 1024)
    assert cfg.n_inner == 4 * cfg.n_embd
    overridden = preset(n_layer=2, resid_pdrop=0.0)
    assert (overridden.n_layer, overridden.n_head, overridden.n_embd) == (2, sizes[1], sizes[2])
    assert overridden.resid_pdrop == 0.0


@pytest.mark.parametrize("name, preset", [
    ("gpt2", GPT2Config.gpt2_small),
    ("gpt2-medium", GPT2Config.gpt2_medium),
    ("gpt2-large", GPT2Config.gpt2_large),
    ("gpt2-xl", GPT2Config.gpt2_xl),
])
def test_config_presets_read_the_table_and_overrides_win(name, preset):
    assert preset() == GPT2Config(**PRESETS[name])
    overridden = preset(n_layer=2, n_embd=64, n_head=4, attn_pdrop=0.0)
    assert overridden == GPT2Config(n_layer=2, n_embd=64, n_head=4, attn_pdrop=0.0)
    assert preset() == GPT2Config(**PRESETS[name])  # overrides leave the table alone


def test_config_preset_table_has_the_four_hub_names():
    assert list(PRESETS) == ["gpt2", "gpt2-medium", "gpt2-large", "gpt2-xl"]


def test_config_presets_validate_overrides():
    with pytest.raises(ValueError):
        GPT2Config.gpt2_medium(n_head=12)  # 1024 is not divisible by 12


def test_config_to_dict_round_trips():
    cfg = tiny_config(resid_pdrop=0.2)
    d = cfg.to_dict()
    assert "n_inner" not in d
    assert GPT2Config(**d) == cfg


def test_config_from_hf_reads_every_field():
    # A non-default value for every field, so a field that is not read shows up.
    values = dict(vocab_size=101, n_positions=33, n_embd=24, n_layer=3, n_head=6,
                  resid_pdrop=0.2, embd_pdrop=0.3, attn_pdrop=0.4, layer_norm_epsilon=1e-6)
    fields = dataclasses.fields(GPT2Config)
    assert set(values) == {f.name for f in fields}, "a new GPT2Config field needs a value here"
    assert all(values[f.name] != f.default for f in fields)
    hf = {**values, "model_type": "gpt2", "n_inner": None, "activation_function": "gelu_new"}
    assert config_from_hf(hf).to_dict() == values


def test_config_from_hf_missing_fields_keep_defaults():
    assert config_from_hf({"n_embd": 32, "n_head": 4}) == GPT2Config(n_embd=32, n_head=4)


@pytest.mark.parametrize("n_inner", [None, 4 * 24])
def test_config_from_hf_accepts_four_times_n_inner(n_inner):
    assert config_from_hf({"n_embd": 24, "n_head": 6, "n_inner": n_inner}).n_inner == 4 * 24


@pytest.mark.parametrize("n_inner", [3 * 24, 4 * 24 + 1])
def test_config_from_hf_rejects_other_n_inner(n_inner):
    with pytest.raises(ValueError, match=f"n_inner={n_inner}"):
        config_from_hf({"n_embd": 24, "n_head": 6, "n_inner": n_inner})


# --- GPT2Model -------------------------------------------------------------------------------

def test_model_logits_shape():
    model = GPT2Model(tiny_config()).eval()
    assert model(random_ids(B, T)).shape == (B, T, VOCAB)
    assert len(model.h) == 2


def test_model_lm_head_is_tied_to_token_embedding():
    model = GPT2Model(tiny_config())
    assert model.lm_head.weight is model.embeddings.wte.weight
    # one tensor, so the tied head is counted once
    assert model.num_parameters() == sum(p.numel() for p in model.parameters())
    names = [n for n, _ in model.named_parameters()]
    assert "lm_head.weight" not in names  # deduplicated by named_parameters
    # a step on the embedding moves the head too
    with torch.no_grad():
        model.embeddings.wte.weight[0, 0] += 1.0
    assert model.lm_head.weight[0, 0] == model.embeddings.wte.weight[0, 0]


def test_model_tied_head_survives_load_state_dict():
    a, b = GPT2Model(tiny_config()), GPT2Model(tiny_config())
    b.load_state_dict(a.state_dict())
    assert b.lm_head.weight is b.embeddings.wte.weight
    torch.testing.assert_close(b.lm_head.weight, a.embeddings.wte.weight)


def test_model_init_weights_statistics():
    cfg = GPT2Config(vocab_size=2000, n_positions=256, n_embd=256, n_layer=4, n_head=4)
    torch.manual_seed(0)
    model = GPT2Model(cfg)
    residual_std = 0.02 / math.sqrt(2 * cfg.n_layer)
    for name, module in model.named_modules():
        if isinstance(module, LayerNorm):
            assert torch.equal(module.weight, torch.ones_like(module.weight)), name
            assert torch.equal(module.bias, torch.zeros_like(module.bias)), name
        elif isinstance(module, (nn.Linear, nn.Embedding)):
            w = module.weight.detach()
            expected = residual_std if name.endswith("c_proj") else 0.02
            assert w.std().item() == pytest.approx(expected, rel=0.1), name
            assert abs(w.mean().item()) < 0.1 * expected, name
            if getattr(module, "bias", None) is not None:
                assert torch.equal(module.bias, torch.zeros_like(module.bias)), name
    assert model.lm_head.weight is model.embeddings.wte.weight


def test_model_init_weights_on_a_single_module():
    lin, emb, ln = nn.Linear(64, 512), nn.Embedding(300, 64), nn.LayerNorm(8)
    with torch.no_grad():
        ln.weight.fill_(3.0)
        ln.bias.fill_(2.0)
    for m in (lin, emb, ln):
        GPT2Model._init_weights(m)
    assert lin.weight.std().item() == pytest.approx(0.02, rel=0.1)
    assert torch.equal(lin.bias, torch.zeros(512))
    assert emb.weight.std().item() == pytest.approx(0.02, rel=0.1)
    assert torch.equal(ln.weight, torch.ones(8)) and torch.equal(ln.bias, torch.zeros(8))


def test_model_dropout_only_in_train_mode():
    model = GPT2Model(tiny_config(resid_pdrop=0.3, embd_pdrop=0.3, attn_pdrop=0.3))
    ids = random_ids(B, T)
    model.eval()
    with torch.no_grad():
        torch.manual_seed(1)
        a = model(ids)
        torch.manual_seed(2)
        b = model(ids)
    torch.testing.assert_close(a, b)
    model.train()
    with torch.no_grad():
        torch.manual_seed(1)
        c = model(ids)
        torch.manual_seed(2)
        d = model(ids)
    assert not torch.allclose(c, d)
    assert not torch.allclose(a, c)


def test_model_without_dropout_is_same_in_train_and_eval():
    model = GPT2Model(tiny_config(resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0))
    ids = random_ids(B, T)
    with torch.no_grad():
        a = model.train()(ids)
        b = model.eval()(ids)
    torch.testing.assert_close(a, b)


def test_model_batch_items_are_independent():
    model = GPT2Model(tiny_config()).eval()
    ids = random_ids(3, T)
    with torch.no_grad():
        together = model(ids)
        alone = torch.cat([model(ids[i:i + 1]) for i in range(3)])
        changed = ids.clone()
        changed[1] = random_ids(T, seed=7)
        other = model(changed)
    torch.testing.assert_close(together, alone, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(other[[0, 2]], together[[0, 2]], atol=1e-5, rtol=1e-5)


def test_model_is_causal():
    model = GPT2Model(tiny_config()).eval()
    ids = random_ids(B, T)
    changed = ids.clone()
    changed[:, -1] = (changed[:, -1] + 1) % VOCAB
    with torch.no_grad():
        torch.testing.assert_close(model(ids)[:, :-1], model(changed)[:, :-1], atol=1e-5, rtol=1e-5)


def test_model_too_long_raises():
    model = GPT2Model(tiny_config())
    model(random_ids(1, N_POS))
    with pytest.raises(ValueError, match="n_positions"):
        model(random_ids(1, N_POS + 1))


def test_model_gradients_flow_to_every_parameter():
    model = GPT2Model(tiny_config(resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0))
    ids = random_ids(B, T)
    loss = F.cross_entropy(model(ids[:, :-1]).reshape(-1, VOCAB), ids[:, 1:].reshape(-1))
    loss.backward()
    assert loss.item() == pytest.approx(math.log(VOCAB), rel=0.1)
    for name, p in model.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), name


@pytest.mark.parametrize("preset, expected", [
    (GPT2Config.gpt2_small, 124_439_808),
    (GPT2Config.gpt2_medium, 354_823_168),
    (GPT2Config.gpt2_large, 774_030_080),
    (GPT2Config.gpt2_xl, 1_557_611_200),
])
def test_model_parameter_count_of_presets(preset, expected):
    with torch.device("meta"):
        model = GPT2Model(preset())
    assert model.lm_head.weight is model.embeddings.wte.weight
    assert model.num_parameters() == expected == count_parameters(preset())
    assert sum(p.numel() for p in model.parameters()) == expected


@pytest.mark.parametrize("seed", range(4))
def test_parameter_count_from_the_config_alone_equals_the_model_s(seed):
    rng = torch.Generator().manual_seed(seed)
    pick = lambda low, high: int(torch.randint(low, high, (1,), generator=rng))  # noqa: E731
    n_head = pick(1, 6)
    config = GPT2Config(vocab_size=pick(10, 500), n_positions=pick(1, 64), n_embd=n_head * pick(1, 9),
                        n_layer=pick(1, 4), n_head=n_head)
    with torch.device("meta"):
        assert count_parameters(config) == GPT2Model(config).num_parameters()


# --- generate --------------------------------------------------------------------------------

@pytest.fixture
def lm() -> GPT2Model:
    torch.manual_seed(0)
    return GPT2Model(tiny_config(n_positions=8)).eval()


def test_generate_greedy_is_deterministic_and_extends_input(lm):
    ids = random_ids(B, 3)
    a = lm.generate(ids, 6)
    b = lm.generate(ids, 6)
    assert a.shape == (B, 3 + 6)
    assert a.dtype == ids.dtype
    assert torch.equal(a, b)
    assert torch.equal(a[:, :3], ids)
    with torch.no_grad():
        for i in range(3, 3 + 6):
            assert torch.equal(a[:, i], lm(a[:, :i])[:, -1].argmax(-1))


def test_generate_zero_new_tokens_returns_input(lm):
    ids = random_ids(B, 3)
    assert torch.equal(lm.generate(ids, 0), ids)


def test_generate_crops_context_beyond_n_positions(lm):
    n_pos = lm.config.n_positions
    ids = random_ids(B, n_pos + 3)  # already longer than the context
    out = lm.generate(ids, 5)
    assert out.shape == (B, n_pos + 3 + 5)
    with torch.no_grad():
        for i in range(n_pos + 3, out.shape[1]):
            expected = lm(out[:, i - n_pos:i])[:, -1].argmax(-1)
            assert torch.equal(out[:, i], expected)


def test_generate_does_not_track_gradients(lm):
    out = lm.generate(random_ids(1, 2), 2)
    assert not out.requires_grad


def test_generate_sampling_with_seeded_generator_is_reproducible(lm):
    ids = random_ids(B, 3)
    a = lm.generate(ids, 10, do_sample=True, temperature=1.5, generator=torch.Generator().manual_seed(42))
    b = lm.generate(ids, 10, do_sample=True, temperature=1.5, generator=torch.Generator().manual_seed(42))
    assert torch.equal(a, b)
    assert a.shape == (B, 13)
    assert ((a >= 0) & (a < VOCAB)).all()
    outs = {tuple(lm.generate(ids, 10, do_sample=True, temperature=1.5,
                              generator=torch.Generator().manual_seed(s)).flatten().tolist())
            for s in range(5)}
    assert len(outs) > 1


def test_generate_top_k_one_equals_greedy(lm):
    ids = random_ids(B, 3)
    sampled = lm.generate(ids, 6, do_sample=True, top_k=1, generator=torch.Generator().manual_seed(0))
    assert torch.equal(sampled, lm.generate(ids, 6))


def test_generate_top_k_restricts_choices(lm):
    ids = random_ids(1, 3)
    with torch.no_grad():
        allowed = set(lm(ids)[0, -1].topk(3).indices.tolist())
    for s in range(20):
        out = lm.generate(ids, 1, do_sample=True, top_k=3, generator=torch.Generator().manual_seed(s))
        assert out[0, -1].item() in allowed


def test_generate_top_k_larger_than_vocab_is_fine(lm):
    out = lm.generate(random_ids(1, 2), 2, do_sample=True, top_k=10 * VOCAB,
                      generator=torch.Generator().manual_seed(0))
    assert out.shape == (1, 4)


@pytest.mark.parametrize("kwargs", [
    {"max_new_tokens": -1},
    {"max_new_tokens": 2, "do_sample": True, "temperature": 0.0},
    {"max_new_tokens": 2, "do_sample": True, "temperature": -1.0},
])
def test_generate_bad_arguments_raise(lm, kwargs):
    with pytest.raises(ValueError):
        lm.generate(random_ids(1, 2), **kwargs)


@pytest.mark.parametrize("top_k", [0, -1])
def test_generate_non_positive_top_k_raises_value_error(lm, top_k):
    with pytest.raises(ValueError):
        lm.generate(random_ids(1, 2), 2, do_sample=True, top_k=top_k)


# --- data, tokenizer, device -----------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 1000, 50_000])
def test_stdlib_text_length_and_determinism(n):
    a, b = gpt2.stdlib_text(n), gpt2.stdlib_text(n)
    assert isinstance(a, str)
    assert len(a) == n
    assert a == b
    assert a.strip() or n == 1


def test_stdlib_text_prefixes_agree():
    assert gpt2.stdlib_text(50_000)[:1000] == gpt2.stdlib_text(1000)


def test_stdlib_text_rejects_non_positive():
    with pytest.raises(ValueError):
        gpt2.stdlib_text(0)


@pytest.fixture(scope="module")
def tokenizer():
    return gpt2.load_tokenizer()


def test_tokenizer_known_ids(tokenizer):
    assert tokenizer.encode("Hello world") == [15496, 995]
    assert tokenizer.decode([15496, 995]) == "Hello world"


def test_tokenizer_vocab_size(tokenizer):
    assert tokenizer.vocab_size == 50257
    assert len(tokenizer) == 50257
    assert tokenizer.eos_token == "<|endoftext|>"
    assert tokenizer.eos_token_id == 50256


@pytest.mark.parametrize("text", [
    "Hello world",
    "The quick brown fox jumps over the lazy dog.",
    "  leading spaces,\ttabs\nand newlines\n\n",
    "héllo wörld — naïve café ✓",
    "日本語のテキスト",
    "emoji 🙂🚀 and math ∑∫√",
    "def f(x):\n    return x ** 2  # code",
])
def test_tokenizer_round_trip(tokenizer, text):
    ids = tokenizer.encode(text)
    assert all(0 <= i < 50257 for i in ids)
    assert tokenizer.decode(ids) == text


def test_tokenizer_is_cached():
    assert gpt2.load_tokenizer() is gpt2.load_tokenizer()


def test_default_device_returns_torch_device():
    device = gpt2.default_device()
    assert isinstance(device, torch.device)
    assert device.type in {"cpu", "cuda", "mps"}
    torch.zeros(1, device=device)  # usable


def test_default_device_prefers_cuda_then_mps(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert gpt2.default_device() == torch.device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    if getattr(torch.backends, "mps", None) is not None:
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
        assert gpt2.default_device() == torch.device("mps")
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert gpt2.default_device() == torch.device("cpu")


# --- gpt2.testing ----------------------------------------------------------------------------

REFERENCE_CASES = [
    (Embeddings, (VOCAB, N_POS, C, 0.1), lambda: (random_ids(B, T),)),
    (SimpleAttention, (C,), lambda: (randn(B, T, C),)),
    (ScaledDotProductAttention, (C,), lambda: (randn(B, T, 8, seed=1), randn(B, T, 8, seed=2),
                                               randn(B, T, 8, seed=3))),
    (MultiHeadAttention, (C, H), lambda: (randn(B, T, C),)),
    (CausalMultiHeadAttention, (C, H, N_POS), lambda: (randn(B, T, C),)),
    (FeedForward, (C, 4 * C), lambda: (randn(B, T, C),)),
    (TransformerBlock, (C, H, N_POS), lambda: (randn(B, T, C),)),
    (GPT2Model, (tiny_config(),), lambda: (random_ids(B, T),)),
]


@pytest.mark.parametrize("cls, init, inputs", REFERENCE_CASES,
                         ids=[case[0].__name__ for case in REFERENCE_CASES])
def test_check_against_reference_passes_for_reference(cls, init, inputs):
    check_against_reference(cls, cls, init=init, inputs=inputs())


class _UnscaledAttention(ScaledDotProductAttention):
    def forward(self, q, k, v, mask=None):
        weights = torch.softmax(q @ k.transpose(-2, -1), dim=-1)
        return self.dropout(weights) @ v, weights


def _unscaled(ref, q, k, v, mask=None):
    w = torch.softmax(q @ k.transpose(-2, -1), dim=-1)
    return w @ v, w


def _transposed_mask(ref, q, k, v, mask=None):
    return ref(q, k, v, mask=mask.transpose(-2, -1) if mask is not None else None)


def test_check_against_reference_names_the_matching_mistake():
    inputs = (randn(B, T, 8, seed=1), randn(B, T, 8, seed=2), randn(B, T, 8, seed=3))
    mistakes = {"mask transposed": _transposed_mask, "forgot to divide by sqrt(d_k)": _unscaled}
    with pytest.raises(AssertionError, match=r"known mistake: forgot to divide by sqrt\(d_k\)"):
        check_against_reference(_UnscaledAttention, ScaledDotProductAttention, init=(C,),
                                inputs=inputs, likely_mistakes=mistakes,
                                output_names=("out", "attn_weights"))


def test_check_against_reference_explains_unknown_mistake():
    inputs = (randn(B, T, 8, seed=1), randn(B, T, 8, seed=2), randn(B, T, 8, seed=3))
    with pytest.raises(AssertionError, match=r"out differs from the reference: max \|difference\| = "):
        check_against_reference(_UnscaledAttention, ScaledDotProductAttention, init=(C,),
                                inputs=inputs, output_names=("out", "attn_weights"))


class _ReluFeedForward(FeedForward):
    def forward(self, x):
        return self.dropout(self.c_proj(F.relu(self.c_fc(x))))


def test_check_against_reference_relu_mistake():
    mistakes = {"used ReLU instead of GELU": lambda ref, x: ref.c_proj(F.relu(ref.c_fc(x)))}
    with pytest.raises(AssertionError, match="ReLU instead of GELU"):
        check_against_reference(_ReluFeedForward, FeedForward, init=(C, 4 * C),
                                inputs=(randn(B, T, C),), likely_mistakes=mistakes)


class _OneOutputAttention(SimpleAttention):
    def forward(self, x):
        return super().forward(x)[0]


def test_check_against_reference_wrong_number_of_outputs():
    with pytest.raises(AssertionError, match=r"should return 2 value\(s\)"):
        check_against_reference(_OneOutputAttention, SimpleAttention, init=(C,),
                                inputs=(randn(B, T, C),), output_names=("out", "attn_weights"))


class _InPlaceResidual(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(1))

    def forward(self, x):
        x += 0 * self.scale
        x.mul_(2)
        return x


class _Doubling(_InPlaceResidual):
    def forward(self, x):
        return 2 * x * self.scale


def test_check_against_reference_detects_in_place_change_of_input():
    with pytest.raises(AssertionError, match="changed its input tensor in place"):
        check_against_reference(_InPlaceResidual, _Doubling, inputs=(randn(B, T, C),))


class _RenamedEmbeddings(nn.Module):
    def __init__(self, vocab_size, n_positions, n_embd, dropout):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(n_positions, n_embd)


def test_copy_weights_reports_missing_parameter_name():
    ref = Embeddings(VOCAB, N_POS, C, 0.0)
    with pytest.raises(AssertionError, match=r"no parameter named 'wte.weight'"):
        copy_weights(ref, _RenamedEmbeddings(VOCAB, N_POS, C, 0.0))


def test_copy_weights_reports_wrong_shape():
    ref = Embeddings(VOCAB, N_POS, C, 0.0)
    with pytest.raises(AssertionError, match=r"parameter 'wpe.weight' has shape \(7, 16\), expected \(12, 16\)"):
        copy_weights(ref, Embeddings(VOCAB, 7, C, 0.0))


def test_copy_weights_copies_values():
    ref, target = FeedForward(C, 4 * C), FeedForward(C, 4 * C)
    copy_weights(ref, target)
    for (n, a), (_, b) in zip(ref.state_dict().items(), target.state_dict().items()):
        assert torch.equal(a, b), n


def test_assert_close_and_matches():
    a = torch.zeros(2, 3)
    assert_close(a, a.clone())
    assert matches((a, a), (a, a))
    assert not matches((a,), (a, a))
    with pytest.raises(AssertionError, match=r"should have shape \(2, 3\), got \(3, 2\)"):
        assert_close(torch.zeros(3, 2), a, what="logits")
    b = a.clone()
    b[1, 2] = 0.5
    with pytest.raises(AssertionError, match=r"max \|difference\| = 0.5 at index \(1, 2\)"):
        assert_close(b, a)
    with pytest.raises(AssertionError, match="should be a torch.Tensor"):
        assert_close([0.0], a)


class _HostArangeEmbeddings(Embeddings):
    def forward(self, input_ids):
        positions = torch.arange(input_ids.shape[-1])
        return self.drop(self.wte(input_ids) + self.wpe(positions))


class _DeviceArangeEmbeddings(Embeddings):
    def forward(self, input_ids):
        positions = torch.arange(input_ids.shape[-1], device=input_ids.device)
        return self.drop(self.wte(input_ids) + self.wpe(positions))


class _MovedArangeEmbeddings(Embeddings):
    def forward(self, input_ids):
        positions = torch.arange(input_ids.shape[-1]).to(input_ids.device)
        return self.drop(self.wte(input_ids) + self.wpe(positions))


class _HostMaskAttention(CausalMultiHeadAttention):
    def attention_mask(self, seq_len):
        return torch.tril(torch.ones(seq_len, seq_len, dtype=torch.bool))


def test_assert_follows_input_device_flags_host_tensor():
    emb = _HostArangeEmbeddings(VOCAB, N_POS, C, 0.0)
    with pytest.raises(AssertionError, match=r"without device= \(e.g. torch.arange\(T\)\)"):
        assert_follows_input_device(emb, random_ids(B, T))


def test_assert_follows_input_device_flags_host_mask():
    attn = _HostMaskAttention(C, H, N_POS)
    with pytest.raises(AssertionError, match="creates a tensor without device="):
        assert_follows_input_device(attn, randn(B, T, C))


@pytest.mark.parametrize("cls", [_DeviceArangeEmbeddings, _MovedArangeEmbeddings, Embeddings])
def test_assert_follows_input_device_passes_device_aware_code(cls):
    assert_follows_input_device(cls(VOCAB, N_POS, C, 0.0), random_ids(B, T))


def test_assert_follows_input_device_passes_reference_model():
    assert_follows_input_device(GPT2Model(tiny_config()).eval(), random_ids(B, T))


class _ScalarTensorScaledAttention(SimpleAttention):
    """Divides by a 0-dim tensor made without device=: fine on a GPU (it acts as a scalar)."""

    def forward(self, x):
        q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        scores = q @ k.transpose(-2, -1) / torch.sqrt(torch.tensor(float(x.shape[-1])))
        weights = torch.softmax(scores, dim=-1)
        return weights @ v, weights


def test_assert_follows_input_device_accepts_host_scalar_tensors():
    assert_follows_input_device(_ScalarTensorScaledAttention(C), randn(B, T, C))
