"""Unit tests of gpt2.training, the reference fine-tuning pieces (problem 15). Tiny models, offline."""
from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

import gpt2
from gpt2 import training


def tiny(seed: int = 0, dropout: float = 0.0, dtype=torch.float32, vocab_size: int = 41) -> gpt2.GPT2Model:
    torch.manual_seed(seed)
    config = gpt2.GPT2Config(vocab_size=vocab_size, n_positions=16, n_embd=8, n_layer=2, n_head=2,
                             resid_pdrop=dropout, embd_pdrop=dropout, attn_pdrop=dropout)
    return gpt2.GPT2Model(config).to(dtype)


def ids(*shape, seed: int = 0, high: int = 41) -> torch.Tensor:
    return torch.randint(0, high, shape, generator=torch.Generator().manual_seed(seed))


def params(model) -> list[torch.Tensor]:
    return [p.detach().clone() for p in model.parameters()]


# --- data ----------------------------------------------------------------------------------------
def test_text_and_txt_path_tokenize_alike(tmp_path):
    path = tmp_path / "book.txt"
    path.write_text("Hello world", encoding="utf-8")
    assert training.load_token_ids("Hello world").tolist() == [15496, 995]
    assert training.load_token_ids(path).tolist() == [15496, 995]
    assert training.load_token_ids(str(path)).tolist() == [15496, 995]
    assert training.read_text("notes.txt") == "notes.txt"  # no such file: the string is the text


def test_split_has_no_leakage_and_keeps_every_whole_window():
    for n, block, fraction in [(1000, 32, 0.1), (257, 16, 0.25), (101, 10, 0.1)]:
        stream = torch.arange(n)
        train, val = training.split_windows(stream, block, fraction)
        n_train = round(n * (1 - fraction))
        assert train.shape == (n_train // block, block) and val.shape == ((n - n_train) // block, block)
        assert torch.equal(train.flatten(), stream[: train.numel()])               # consecutive, no overlap
        assert torch.equal(val.flatten(), stream[n_train: n_train + val.numel()])  # starts at the split
        assert train.max() < n_train <= val.min()                                  # no window crosses it


def test_split_rejects_what_cannot_work():
    with pytest.raises(ValueError, match="block_size"):
        training.split_windows(torch.arange(100), 1)
    with pytest.raises(ValueError, match="val_fraction"):
        training.split_windows(torch.arange(100), 4, 0.0)
    with pytest.raises(ValueError, match="validation"):
        training.split_windows(torch.arange(100), 30, 0.1)


# --- loss ----------------------------------------------------------------------------------------
def test_loss_is_shifted_cross_entropy_and_ignores_padding():
    torch.manual_seed(0)
    logits = torch.randn(2, 6, 11)
    labels = torch.randint(0, 11, (2, 6))
    labels[0, 4:] = training.IGNORE_INDEX
    expected = F.cross_entropy(logits[:, :-1].reshape(-1, 11), labels[:, 1:].reshape(-1), ignore_index=-100)
    assert torch.allclose(training.lm_loss(logits, labels), expected)
    kept = [(b, t) for b in range(2) for t in range(5) if labels[b, t + 1] != -100]
    by_hand = -sum(F.log_softmax(logits[b, t], -1)[labels[b, t + 1]] for b, t in kept) / len(kept)
    assert torch.allclose(training.lm_loss(logits, labels), by_hand)
    assert training.count_targets(labels) == len(kept)


def test_loss_equals_huggingface_labels_loss_on_the_same_weights():
    from gpt2.pretrained import convert_hf_state_dict
    from gpt2.testing import random_hf_gpt2

    hf = random_hf_gpt2(seed=3, vocab_size=41, n_positions=16, n_embd=8, n_layer=2, n_head=2)
    ours = tiny()
    shapes = {k: tuple(v.shape) for k, v in ours.state_dict().items()}
    ours.load_state_dict(convert_hf_state_dict(hf.state_dict(), 2, shapes))
    ours.eval()
    x = ids(3, 12)
    labels = x.clone()
    labels[2, 7:] = -100
    with torch.no_grad():
        assert abs(training.lm_loss(ours(x), labels).item() - hf(x, labels=labels).loss.item()) < 1e-5


# --- optimizer and schedule ------------------------------------------------------------------------
def test_decay_groups_counted_and_tied_weight_once_without_decay():
    model = tiny()
    decay, no_decay = training.optimizer_groups(model, 0.1)
    assert (decay["weight_decay"], no_decay["weight_decay"]) == (0.1, 0.0)
    assert (len(decay["params"]), len(no_decay["params"])) == (8, 20)  # 4 matrices per block; the rest
    everything = decay["params"] + no_decay["params"]
    assert len({id(p) for p in everything}) == len(everything) == len(list(model.parameters()))
    wte = model.embeddings.wte.weight
    assert model.lm_head.weight is wte and any(p is wte for p in no_decay["params"])
    assert all(p.dim() >= 2 for p in decay["params"])
    torch.optim.AdamW(training.optimizer_groups(model, 0.1), lr=1e-3)  # no parameter in two groups


def test_decay_groups_skip_frozen_and_handle_conv1d():
    from gpt2.testing import random_hf_gpt2

    hf = random_hf_gpt2(seed=1, vocab_size=30, n_positions=8, n_embd=8, n_layer=1, n_head=2)
    decay, no_decay = training.optimizer_groups(hf, 0.1)
    assert len(decay["params"]) == 4 and any(p is hf.transformer.wte.weight for p in no_decay["params"])
    for p in hf.transformer.h.parameters():
        p.requires_grad_(False)
    decay, no_decay = training.optimizer_groups(hf, 0.1)
    assert decay["params"] == [] and len(no_decay["params"]) == 4  # wte, wpe, ln_f weight and bias


def test_schedule_values():
    s = dict(max_lr=6e-4, min_lr=6e-5, warmup_steps=10, max_steps=100)
    assert training.lr_at(0, **s) == pytest.approx(6e-5)
    assert training.lr_at(9, **s) == pytest.approx(6e-4)
    assert training.lr_at(10, **s) == pytest.approx(6e-4)
    assert training.lr_at(55, **s) == pytest.approx(3.3e-4)
    assert training.lr_at(100, **s) == pytest.approx(6e-5)
    assert training.lr_at(1000, **s) == pytest.approx(6e-5)
    values = [training.lr_at(t, **s) for t in range(10, 101)]
    assert all(a >= b for a, b in zip(values, values[1:]))
    assert training.lr_at(0, max_lr=1.0, min_lr=0.1, warmup_steps=0, max_steps=10) == 1.0


def test_scheduler_follows_lr_at():
    model = tiny()
    optimizer = training.make_optimizer(model, lr=2e-3)
    scheduler = training.make_scheduler(optimizer, warmup_steps=3, max_steps=10, min_lr_ratio=0.1)
    for step in range(12):
        expected = training.lr_at(step, max_lr=2e-3, min_lr=2e-4, warmup_steps=3, max_steps=10)
        assert all(g["lr"] == pytest.approx(expected) for g in optimizer.param_groups)
        optimizer.step()
        scheduler.step()


# --- one training step -----------------------------------------------------------------------------
def test_one_step_lowers_the_loss_on_a_fixed_batch():
    model = tiny(seed=2)
    x = ids(4, 12, seed=2)
    optimizer = training.make_optimizer(model, lr=1e-2)
    before = training.train_step(model, optimizer, [(x, x)])
    with torch.no_grad():
        after = training.lm_loss(model.eval()(x), x).item()
    assert after < before - 1e-3


def test_clipping_bounds_the_step():
    model = tiny(seed=4)
    x = ids(2, 10, seed=4)
    start = params(model)
    training.train_step(model, torch.optim.SGD(model.parameters(), lr=1.0), [(x, x)], max_grad_norm=0.05)
    change = torch.cat([(a - p.detach()).flatten() for a, p in zip(start, model.parameters())])
    assert change.norm().item() == pytest.approx(0.05, rel=1e-4)


def _sgd_change(micro, seed=5):
    model = tiny(seed=seed, dtype=torch.float64)
    start = params(model)
    loss = training.train_step(model, torch.optim.SGD(model.parameters(), lr=1.0), micro, max_grad_norm=None)
    return [a - p.detach() for a, p in zip(start, model.parameters())], loss


@pytest.mark.parametrize("padded", [False, True])
def test_accumulation_equals_the_big_batch(padded):
    x = ids(5, 9, seed=5)
    labels = x.clone()
    if padded:  # micro-batches then hold different numbers of targets: 1 / k would be wrong
        labels[1, 3:] = -100
        labels[3, 6:] = -100
    big, big_loss = _sgd_change([(x, labels)])
    micro, loss = _sgd_change([(x[:3], labels[:3]), (x[3:4], labels[3:4]), (x[4:], labels[4:])])
    assert max((a - b).abs().max().item() for a, b in zip(big, micro)) <= 1e-6
    assert loss == pytest.approx(big_loss, rel=1e-9)


# --- evaluation ------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", [True, False])
def test_evaluate_is_eval_mode_no_grad_and_restores_the_mode(mode):
    model = tiny(seed=6, dropout=0.5).train(mode)
    x = ids(5, 10, seed=6)
    labels = x.clone()
    labels[4, 5:] = -100
    seen = []
    model.register_forward_hook(lambda m, a, o: seen.append((m.training, torch.is_grad_enabled())))
    loss, perplexity = training.evaluate(model, [(x[:4], labels[:4]), (x[4:], labels[4:])])
    assert model.training is mode and seen and all(s == (False, False) for s in seen)
    with torch.no_grad():
        expected = training.lm_loss(model.eval()(x), labels).item()
    assert loss == pytest.approx(expected, rel=1e-6) and perplexity == pytest.approx(math.exp(expected))


# --- checkpoints -----------------------------------------------------------------------------------
def _run(seed, dropout):
    model = tiny(seed=seed, dropout=dropout)
    optimizer = training.make_optimizer(model, lr=3e-3)
    scheduler = training.make_scheduler(optimizer, warmup_steps=2, max_steps=6)
    return model, optimizer, scheduler


@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_resume_reproduces_the_uninterrupted_run(tmp_path, dropout):
    data = [ids(2, 10, seed=s) for s in range(6)]
    torch.manual_seed(7)
    straight = _run(7, dropout)
    for x in data:
        training.train_step(straight[0], straight[1], [(x, x)], scheduler=straight[2])
    torch.manual_seed(7)
    first = _run(7, dropout)
    for x in data[:3]:
        training.train_step(first[0], first[1], [(x, x)], scheduler=first[2])
    training.save_checkpoint(tmp_path / "ckpt.pt", *first, step=3)
    torch.manual_seed(123)
    resumed = _run(8, dropout)
    assert training.load_checkpoint(tmp_path / "ckpt.pt", *resumed) == 3
    for x in data[3:]:
        training.train_step(resumed[0], resumed[1], [(x, x)], scheduler=resumed[2])
    for a, b in zip(straight[0].parameters(), resumed[0].parameters()):
        assert torch.equal(a, b)


def test_fit_trains_and_reports_history():
    torch.set_num_threads(1)
    stream = ids(2000, seed=9)
    train, val = training.split_windows(stream, 16)
    model = tiny(seed=9)
    history = training.fit(model, train, val, steps=6, batch_size=4, lr=3e-3, eval_every=3)
    assert len(history["train_loss"]) == 6 and history["val_step"] == [3, 6]
    assert all(math.isfinite(v) for v in history["train_loss"] + history["val_loss"])


def test_module_imports_only_torch_at_top_level():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(training))
    modules = {alias.name.split(".")[0] for node in tree.body if isinstance(node, ast.Import) for alias in node.names}
    modules |= {node.module.split(".")[0] for node in tree.body if isinstance(node, ast.ImportFrom) and not node.level}
    assert modules <= {"__future__", "math", "os", "pathlib", "torch"}, modules
