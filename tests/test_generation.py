"""``gpt2.generation``: the decoding strategies of problem 13, against their promises and against
HuggingFace ``transformers`` (logits warpers and ``GPT2LMHeadModel.generate``), offline."""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
import transformers

import gpt2
from gpt2.generation import (
    apply_temperature, filter_logits, generate, sample_next_token, top_k_filter, top_p_filter)

SMALL = dict(vocab_size=61, n_positions=24, n_embd=32, n_layer=2, n_head=4,
             resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)


@pytest.fixture(autouse=True, scope="module")
def _quiet_transformers():
    verbosity = transformers.logging.get_verbosity()
    transformers.logging.set_verbosity_error()
    yield
    transformers.logging.set_verbosity(verbosity)


def small_model(seed: int = 0, **sizes) -> gpt2.GPT2Model:
    torch.manual_seed(seed)
    return gpt2.GPT2Model(gpt2.GPT2Config(**{**SMALL, **sizes})).eval()


def random_logits(*shape, seed: int = 0, scale: float = 3.0) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed)) * scale


# --- the filters ---------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(50,), (4, 50), (2, 3, 50)])
def test_filters_equal_transformers_warpers_on_random_logits(shape):
    from transformers import TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

    logits = random_logits(*shape, seed=len(shape))
    flat = logits.reshape(-1, shape[-1])
    ids = torch.zeros(flat.shape[0], 1, dtype=torch.long)
    for t in (0.3, 1.0, 2.5):
        assert torch.allclose(apply_temperature(logits, t).reshape(flat.shape), TemperatureLogitsWarper(t)(ids, flat))
    for k in (1, 5, 50, 80):
        assert torch.equal(top_k_filter(logits, k).reshape(flat.shape), TopKLogitsWarper(k)(ids, flat.clone()))
    for p in (0.05, 0.3, 0.9, 0.999):
        ours = top_p_filter(logits, p).reshape(flat.shape)
        theirs = TopPLogitsWarper(p)(ids, flat.clone())
        assert torch.equal(ours.isinf(), theirs.isinf()), p
        assert torch.allclose(F.softmax(ours, -1), F.softmax(theirs, -1))


def test_filters_leave_the_callers_logits_unchanged():
    logits = random_logits(3, 20)
    before = logits.clone()
    for out in (apply_temperature(logits, 0.5), top_k_filter(logits, 3), top_p_filter(logits, 0.5),
                top_p_filter(logits, 1.0), filter_logits(logits, temperature=2.0, top_k=4, top_p=0.7)):
        assert out is not logits
    assert torch.equal(logits, before)


def test_temperature_limits():
    logits = torch.tensor([1.0, 3.0, 2.0, -1.0])
    cold = F.softmax(apply_temperature(logits, 1e-3), -1)
    assert cold.argmax() == 1 and cold[1] > 1 - 1e-6
    hot = F.softmax(apply_temperature(logits, 1e4), -1)
    assert torch.allclose(hot, torch.full((4,), 0.25), atol=1e-3)


def test_top_k_keeps_the_k_largest_and_ties_at_the_boundary():
    logits = random_logits(5, 40)
    for k in (1, 3, 39, 40, 100):
        kept = top_k_filter(logits, k).isfinite()
        assert (kept.sum(-1) == min(k, 40)).all()
        top = torch.topk(logits, min(k, 40), dim=-1).indices
        assert kept.gather(-1, top).all()
    tied = torch.tensor([3.0, 1.0, 1.0, 0.0, 1.0])
    assert top_k_filter(tied, 2).isfinite().tolist() == [True, True, True, False, True]


def test_top_p_keeps_the_smallest_set_reaching_p_and_always_one():
    probs = torch.tensor([0.5, 0.25, 0.125, 0.125])
    logits = probs.log()
    assert top_p_filter(logits, 0.5).isfinite().tolist() == [True, False, False, False]
    assert top_p_filter(logits, 0.6).isfinite().tolist() == [True, True, False, False]
    assert top_p_filter(logits, 0.75).isfinite().tolist() == [True, True, False, False]
    assert top_p_filter(logits, 0.01).isfinite().tolist() == [True, False, False, False]
    assert top_p_filter(logits, 1.0).isfinite().all()
    shuffled = logits[[2, 0, 3, 1]]  # not sorted: the filter must sort, and put the mask back
    assert top_p_filter(shuffled, 0.6).isfinite().tolist() == [False, True, False, True]
    many = random_logits(6, 30)
    for p in (0.1, 0.5, 0.95):
        kept = top_p_filter(many, p).isfinite()
        mass = (F.softmax(many, -1) * kept).sum(-1)
        smallest = F.softmax(many, -1).masked_fill(~kept, 2.0).min(-1).values
        assert (mass >= p - 1e-6).all() and (mass - smallest < p).all() and (kept.sum(-1) >= 1).all()


@pytest.mark.parametrize("call, field", [
    (lambda x: apply_temperature(x, 0.0), "temperature"), (lambda x: apply_temperature(x, -1.0), "temperature"),
    (lambda x: top_k_filter(x, 0), "top_k"), (lambda x: top_k_filter(x, -2), "top_k"),
    (lambda x: top_p_filter(x, 0.0), "top_p"), (lambda x: top_p_filter(x, 1.5), "top_p"),
    (lambda x: top_p_filter(x, -0.1), "top_p"),
    (lambda x: sample_next_token(x, do_sample=True, temperature=0.0), "temperature"),
    (lambda x: sample_next_token(x, top_k=0), "top_k"),
])
def test_bad_arguments_raise_value_error(call, field):
    with pytest.raises(ValueError, match=field):
        call(torch.zeros(2, 5))


# --- sampling -------------------------------------------------------------------------------------
def test_greedy_is_the_argmax_whatever_the_filters():
    logits = random_logits(2, 3, 17)
    assert torch.equal(sample_next_token(logits), logits.argmax(-1))
    assert torch.equal(sample_next_token(logits, temperature=0.0, top_k=2, top_p=0.1), logits.argmax(-1))


def test_draws_follow_the_filtered_distribution():
    logits = random_logits(12, seed=3, scale=1.0)
    expected = F.softmax(filter_logits(logits, temperature=0.7, top_k=8, top_p=0.9), -1)
    n = 40_000
    draws = sample_next_token(logits.expand(n, -1), do_sample=True, temperature=0.7, top_k=8, top_p=0.9,
                              generator=torch.Generator().manual_seed(0))
    assert draws.shape == (n,) and draws.dtype == torch.long
    counts = torch.bincount(draws, minlength=12).double()
    assert (counts[expected == 0] == 0).all()
    kept = expected > 0
    chi2 = ((counts[kept] - n * expected[kept]) ** 2 / (n * expected[kept])).sum()
    df = int(kept.sum()) - 1
    p_value = torch.special.gammaincc(torch.tensor(df / 2, dtype=torch.double), chi2 / 2)
    assert p_value > 1e-4


def test_seeded_sampling_is_reproducible():
    logits = random_logits(4, 30)
    draw = lambda seed: sample_next_token(logits.expand(64, 4, 30), do_sample=True, top_p=0.95,  # noqa: E731
                                          generator=torch.Generator().manual_seed(seed))
    assert torch.equal(draw(1), draw(1)) and not torch.equal(draw(1), draw(2))


# --- generate -------------------------------------------------------------------------------------
def test_greedy_generate_equals_an_argmax_loop_and_crops_the_context():
    model = small_model()
    ids = torch.randint(0, 61, (2, 5), generator=torch.Generator().manual_seed(0))
    before = ids.clone()
    out = generate(model, ids, 30)  # 35 tokens > n_positions = 24: the context is cropped
    assert torch.equal(ids, before) and out.shape == (2, 35) and torch.equal(out[:, :5], ids)
    loop = ids
    with torch.no_grad():
        for _ in range(30):
            loop = torch.cat([loop, model(loop[:, -24:])[:, -1].argmax(-1, keepdim=True)], dim=1)
    assert torch.equal(out, loop)
    assert torch.equal(generate(model, ids, 0), ids)


@pytest.mark.slow  # HF's generate machinery takes seconds to import on a busy machine
def test_greedy_generate_equals_hugging_face_generate(tmp_path):
    sizes = dict(vocab_size=97, n_positions=40, n_embd=32, n_layer=2, n_head=4)
    torch.manual_seed(0)
    hf = transformers.GPT2LMHeadModel(transformers.GPT2Config(**sizes, bos_token_id=0, eos_token_id=0)).eval()
    hf.save_pretrained(tmp_path)
    model = gpt2.GPT2Model.from_pretrained(tmp_path)
    ids = torch.randint(1, 97, (3, 6), generator=torch.Generator().manual_seed(1))
    for eos in (None, 5):
        theirs = hf.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=20, do_sample=False,
                             eos_token_id=eos, pad_token_id=eos if eos is not None else 0)
        ours = generate(model, ids, 20, eos_token_id=eos)
        assert torch.equal(ours, theirs), eos


def test_eos_pads_finished_rows_and_stops_when_all_are_done():
    model = small_model(seed=1)
    ids = torch.randint(0, 61, (3, 4), generator=torch.Generator().manual_seed(2))
    free = generate(model, ids, 12)
    eos = int(free[0, 6])  # row 0 produces it by its third new token
    out = generate(model, ids, 12, eos_token_id=eos)
    for row in range(3):
        new = free[row, 4:].tolist()
        if eos in new:
            stop = new.index(eos)
            assert out[row, 4:4 + stop + 1].tolist() == new[:stop + 1]
            assert (out[row, 4 + stop:] == eos).all()
        else:
            assert out[row, 4:].tolist() == new[:out.shape[1] - 4]
    done = [eos in free[row, 4:].tolist() for row in range(3)]
    if all(done):
        last = max(free[row, 4:].tolist().index(eos) for row in range(3))
        assert out.shape[1] == 4 + last + 1
    else:
        assert out.shape[1] == 16
    one = generate(model, ids[:1], 12, eos_token_id=eos)
    assert one.shape[1] == 4 + free[0, 4:].tolist().index(eos) + 1 and int(one[0, -1]) == eos


def test_seeded_generate_is_reproducible_and_bad_arguments_raise():
    model = small_model(seed=2)
    ids = torch.zeros(2, 3, dtype=torch.long)
    run = lambda seed: generate(model, ids, 10, do_sample=True, top_k=20, top_p=0.9, temperature=1.3,  # noqa: E731
                                generator=torch.Generator().manual_seed(seed))
    assert torch.equal(run(0), run(0)) and not torch.equal(run(0), run(1))
    for kwargs, field in [(dict(max_new_tokens=-1), "max_new_tokens"),
                          (dict(max_new_tokens=3, do_sample=True, temperature=0.0), "temperature"),
                          (dict(max_new_tokens=3, top_k=0), "top_k"),
                          (dict(max_new_tokens=3, do_sample=True, top_p=0.0), "top_p"),
                          (dict(max_new_tokens=3, top_p=1.01), "top_p")]:
        with pytest.raises(ValueError, match=field):
            generate(model, ids, **kwargs)
    assert torch.equal(generate(model, ids, 4, temperature=0.0), generate(model, ids, 4))  # greedy ignores it
