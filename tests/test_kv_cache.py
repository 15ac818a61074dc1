"""Problem 14: the reference's KV cache (gpt2.model.KVCache and the past paths of the model)."""
import pytest
import torch
import torch.nn.functional as F

import gpt2
from gpt2.model import KVCache
from gpt2.pretrained import convert_hf_state_dict
from gpt2.testing import random_hf_gpt2

SMALL = dict(vocab_size=97, n_positions=24, n_embd=32, n_layer=2, n_head=4)


def small_model(seed=0, **overrides):
    torch.manual_seed(seed)
    return gpt2.GPT2Model(gpt2.GPT2Config(**{**SMALL, **overrides})).eval()


def ids(B, T, seed=1):
    return torch.randint(0, SMALL["vocab_size"], (B, T), generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("B,prompt", [(1, 1), (2, 5), (3, 9)])
def test_cached_logits_equal_uncached_at_every_step(B, prompt):
    model, seq = small_model(), ids(B, 16)
    with torch.no_grad():
        full = model(seq)
        logits, past = model(seq[:, :prompt], use_cache=True)
        torch.testing.assert_close(logits, full[:, :prompt], atol=1e-5, rtol=0)
        for t in range(prompt, seq.shape[1]):
            logits, past = model(seq[:, t:t + 1], past_key_values=past, use_cache=True)
            torch.testing.assert_close(logits[:, 0], full[:, t], atol=1e-5, rtol=0)
    assert past.length == seq.shape[1]


def test_several_new_tokens_per_call_use_the_shifted_mask():
    model, seq = small_model(), ids(2, 15)
    with torch.no_grad():
        full = model(seq)
        _, past = model(seq[:, :4], use_cache=True)
        logits, past = model(seq[:, 4:11], past_key_values=past, use_cache=True)
        torch.testing.assert_close(logits, full[:, 4:11], atol=1e-5, rtol=0)
        logits, _ = model(seq[:, 11:], past_key_values=past, use_cache=True)
        torch.testing.assert_close(logits, full[:, 11:], atol=1e-5, rtol=0)


def test_cache_shapes_per_layer_and_growth_without_reallocation_each_step():
    model, seq = small_model(), ids(2, 10)
    with torch.no_grad():
        _, past = model(seq[:, :3], use_cache=True)
        assert isinstance(past, KVCache) and len(past) == SMALL["n_layer"] and past.length == 3
        for k, v in past:
            assert k.shape == v.shape == (2, SMALL["n_head"], 3, SMALL["n_embd"] // SMALL["n_head"])
        storage = past._keys[0].data_ptr()
        for t in range(3, 10):
            _, past = model(seq[:, t:t + 1], past_key_values=past, use_cache=True)
        assert past._keys[0].data_ptr() == storage, "the buffer was reallocated within its capacity"
        assert all(k.shape[2] == 10 for k, _ in past)


def test_legacy_pairs_are_accepted_and_equal_the_cache():
    model, seq = small_model(), ids(1, 8)
    with torch.no_grad():
        full = model(seq)
        _, past = model(seq[:, :5], use_cache=True)
        pairs = [(k.clone(), v.clone()) for k, v in past]
        logits, _ = model(seq[:, 5:], past_key_values=pairs, use_cache=True)
    torch.testing.assert_close(logits, full[:, 5:], atol=1e-5, rtol=0)


def test_positions_are_offset_by_the_past_length():
    emb = gpt2.Embeddings(50, 16, 8, 0.0)
    x = torch.tensor([[3, 4, 5]])
    expected = emb.wte(x) + emb.wpe.weight[6:9]
    torch.testing.assert_close(emb(x, past_length=6), expected)
    torch.testing.assert_close(emb(x), emb.wte(x) + emb.wpe.weight[:3])
    with pytest.raises(ValueError, match="n_positions"):
        emb(x, past_length=14)


def test_past_beyond_n_positions_raises_instead_of_wrong_positions():
    model, seq = small_model(), ids(1, SMALL["n_positions"])
    with torch.no_grad():
        _, past = model(seq, use_cache=True)
        with pytest.raises(ValueError, match="n_positions"):
            model(seq[:, :1], past_key_values=past, use_cache=True)


def test_causal_mask_with_a_past():
    attn = gpt2.CausalMultiHeadAttention(8, 2, 10)
    mask = attn.attention_mask(2, past_length=3)[0, 0]
    assert mask.tolist() == [[True] * 4 + [False], [True] * 5]
    assert torch.equal(attn.attention_mask(4), torch.tril(torch.ones(4, 4, dtype=torch.bool))[None, None])


@pytest.mark.parametrize("causal", [True, False])
@pytest.mark.parametrize("training", [False, True])
def test_fused_path_equals_the_written_out_path(causal, training):
    torch.manual_seed(0)
    attn = (gpt2.CausalMultiHeadAttention(32, 4, 40, dropout=0.0) if causal
            else gpt2.MultiHeadAttention(32, 4, dropout=0.0)).train(training)
    x = torch.randn(3, 33, 32)
    fused = attn(x)
    written, weights = attn(x, return_weights=True)
    torch.testing.assert_close(fused, written, atol=1e-5, rtol=1e-5)
    assert weights.shape == (3, 4, 33, 33)
    cache = KVCache(1)
    attn(x[:, :20], past=(cache, 0))
    step_fused = attn(x[:, 20:], past=(cache, 0))
    cache = KVCache(1)
    attn(x[:, :20], past=(cache, 0))
    step_written, _ = attn(x[:, 20:], return_weights=True, past=(cache, 0))
    torch.testing.assert_close(step_fused, step_written, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(step_fused, fused[:, 20:], atol=1e-5, rtol=1e-5)


def test_attention_dropout_in_training_keeps_the_written_out_path():
    attn = gpt2.CausalMultiHeadAttention(16, 2, 8, dropout=0.0, attn_dropout=0.5).train()
    x = torch.randn(1, 8, 16)
    torch.manual_seed(3)
    a = attn(x)
    torch.manual_seed(3)
    b, _ = attn(x, return_weights=True)
    torch.testing.assert_close(a, b)


def test_fused_layer_norm_and_gelu_equal_the_written_out_maths():
    x = torch.randn(4, 7, 32) * 3 + 1e3
    ln = gpt2.LayerNorm(32)
    with torch.no_grad():
        ln.weight.uniform_(0.5, 1.5)
        ln.bias.uniform_(-1, 1)
    fused = ln(x)
    try:
        gpt2.LayerNorm.fused = False
        written = ln(x)
    finally:
        gpt2.LayerNorm.fused = True
    torch.testing.assert_close(fused, written, atol=1e-4, rtol=1e-4)
    y = torch.linspace(-8, 8, 1001)
    fused = gpt2.NewGELU()(y)
    try:
        gpt2.NewGELU.fused = False
        written = gpt2.NewGELU()(y)
    finally:
        gpt2.NewGELU.fused = True
    torch.testing.assert_close(fused, written, atol=1e-6, rtol=1e-5)


def test_greedy_generation_is_token_identical_with_and_without_cache():
    from gpt2.generation import generate

    model = small_model()
    prompt = ids(2, 4)
    # 30 new tokens cross n_positions = 24: beyond it both paths crop to the last 24 tokens
    with torch.no_grad():
        plain = generate(model, prompt, 30)
        cached = generate(model, prompt, 30, use_cache=True)
    assert torch.equal(plain, cached)


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_reference_cache_equals_huggingface_past_key_values():
    config = dict(SMALL, n_ctx=SMALL["n_positions"])
    hf = random_hf_gpt2(0, **config)
    model = gpt2.GPT2Model(gpt2.GPT2Config(**SMALL)).eval()
    model.load_state_dict(convert_hf_state_dict(hf.state_dict(), SMALL["n_layer"]))
    seq = ids(2, 9)
    with torch.no_grad():
        out = hf(seq[:, :5], use_cache=True)
        logits, past = model(seq[:, :5], use_cache=True)
        torch.testing.assert_close(logits, out.logits, atol=1e-4, rtol=1e-4)
        hf_past = out.past_key_values
        for t in range(5, 9):
            out = hf(seq[:, t:t + 1], past_key_values=hf_past, use_cache=True)
            hf_past = out.past_key_values
            logits, past = model(seq[:, t:t + 1], past_key_values=past, use_cache=True)
            torch.testing.assert_close(logits, out.logits, atol=1e-4, rtol=1e-4)
        hf_layer0 = hf_past.layers[0] if hasattr(hf_past, "layers") else None
        if hf_layer0 is not None:
            torch.testing.assert_close(past[0][0], hf_layer0.keys, atol=1e-5, rtol=1e-5)
            torch.testing.assert_close(past[0][1], hf_layer0.values, atol=1e-5, rtol=1e-5)


def test_causal_mask_function():
    assert torch.equal(gpt2.model.causal_mask(4, 4), torch.tril(torch.ones(4, 4, dtype=torch.bool)))
    assert gpt2.model.causal_mask(1, 5).all()
    assert gpt2.model.causal_mask(2, 4).tolist() == [[True, True, True, False], [True] * 4]
    with pytest.raises(ValueError):
        gpt2.model.causal_mask(3, 2)


def test_attention_takes_a_key_value_pair_and_returns_the_present():
    torch.manual_seed(0)
    attn = gpt2.CausalMultiHeadAttention(16, 4, 12, dropout=0.0).eval()
    x = torch.randn(2, 9, 16)
    full = attn(x)
    out, present = attn(x[:, :5], use_cache=True)
    assert present[0].shape == present[1].shape == (2, 4, 5, 4)
    for t in range(5, 9):
        out, present = attn(x[:, t:t + 1], past=present, use_cache=True)
        torch.testing.assert_close(out[:, 0], full[:, t], atol=1e-5, rtol=0)
    out, weights, present = attn(x[:, :3], return_weights=True, use_cache=True)
    assert weights.shape == (2, 4, 3, 3) and present[0].shape == (2, 4, 3, 4)
