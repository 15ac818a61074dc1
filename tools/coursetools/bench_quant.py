"""Benchmark for problem 17: fp32, int8 (ours), int4 (ours) and torch's quantize_dynamic.

One model, one set of weights, one held-out text, in one run: for each version the size in memory
(the state dict's tensors, each storage once) and on disk (``torch.save`` of the state dict),
the perplexity on the held-out text, and tokens/s of a forward pass over it.

Online, the model is the real GPT-2 small and the text held-out standard-library source. Offline,
a small GPT-2 (real tokenizer, 50,257 tokens) trained briefly on ``gpt2.stdlib_text()``; the
output says which. ``python -m coursetools.bench_quant [--steps N]``.
"""
from __future__ import annotations

import argparse
import copy
import math
import time
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

import gpt2
from gpt2.quantization import quantize_model, saved_bytes, state_dict_bytes

TARGETS = {"int8_size": 3.5, "int8_ppl": 0.01, "int4_size": 6.0}


def _token_ids(text: str) -> torch.Tensor:
    tokenizer = gpt2.load_tokenizer()
    return torch.tensor(tokenizer.encode(text), dtype=torch.long)


def _windows(ids: torch.Tensor, block: int) -> torch.Tensor:
    n = len(ids) // block
    return ids[: n * block].view(n, block)


def _train(model: nn.Module, train: torch.Tensor, steps: int, batch: int, seed: int = 0) -> float:
    """A few of gpt2.training's AdamW steps on random training windows."""
    from gpt2 import training

    optimizer = training.make_optimizer(model, lr=3e-3)
    gen = torch.Generator().manual_seed(seed)
    model.train()
    loss = float("nan")
    for _ in range(steps):
        rows = torch.randint(0, len(train), (batch,), generator=gen)
        x = train[rows]
        loss = float(training.train_step(model, optimizer, [(x, x)]))
    return loss


@torch.no_grad()
def _evaluate(model: nn.Module, held_out: torch.Tensor, reference: list | None = None,
              batch: int = 8) -> tuple[float, float, float, list]:
    """(perplexity, tokens/s, mean KL(reference || model) per token, log-probabilities per batch)."""
    model.eval()
    total, count, kl = 0.0, 0, 0.0
    model(held_out[:1, :8])  # warm-up
    logprobs, seconds = [], 0.0
    for n, i in enumerate(range(0, len(held_out), batch)):
        x = held_out[i: i + batch]
        started = time.perf_counter()
        logits = model(x).float()
        seconds += time.perf_counter() - started
        lp = F.log_softmax(logits[:, :-1], dim=-1)
        total -= lp.gather(-1, x[:, 1:, None]).sum().item()
        count += x[:, 1:].numel()
        if reference is not None:
            kl += F.kl_div(lp, reference[n], log_target=True, reduction="sum").item()
        logprobs.append(lp)
    return math.exp(total / count), held_out.numel() / seconds, kl / count, logprobs


def _model(steps: int) -> tuple[nn.Module, torch.Tensor, str]:
    """(model, held-out windows, a line saying where they come from)."""
    text = gpt2.stdlib_text(1_500_000)
    from gpt2.pretrained import hub_reachable

    if hub_reachable(timeout=2.0):
        try:
            model = gpt2.GPT2Model.from_pretrained("gpt2")
            ids = _token_ids(text[-200_000:])
            return model, _windows(ids, 256)[:16], (
                "online: real GPT-2 small (124M), held-out text = 16 windows of 256 tokens of standard-library source")
        except OSError as err:
            print(f"(could not load GPT-2 small: {err}; using the offline model)")
    ids = _token_ids(text)
    split = int(len(ids) * 0.95)
    block = 128
    train, held_out = _windows(ids[:split], block), _windows(ids[split:], block)[:16]
    torch.manual_seed(0)
    config = gpt2.GPT2Config(vocab_size=50257, n_positions=block, n_embd=128, n_layer=4, n_head=4,
                             resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    model = gpt2.GPT2Model(config)
    started = time.perf_counter()
    loss = _train(model, train, steps, batch=8)
    return model.eval(), held_out, (
        f"offline: a small GPT-2 (n_embd 128, 4 layers, the real 50,257-token tokenizer, "
        f"{model.num_parameters() / 1e6:.1f}M parameters) trained {steps} steps on gpt2.stdlib_text() "
        f"in {time.perf_counter() - started:.0f} s (last training loss {loss:.2f}); held-out text = "
        f"{held_out.shape[0]} windows of {held_out.shape[1]} tokens the training never saw. "
        "Online the same run uses the real GPT-2 small.")


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60, help="training steps of the offline model")
    parser.add_argument("--group-size", type=int, default=64, help="int4 group size")
    args = parser.parse_args(argv)
    torch.set_num_threads(max(1, min(4, torch.get_num_threads())))
    model, held_out, origin = _model(args.steps)
    print(origin)

    with warnings.catch_warnings():  # torch.ao.quantization announces its deprecation
        warnings.simplefilter("ignore")
        from torch.ao.quantization import quantize_dynamic
        versions = {
            "fp32": model,
            "int8 (ours)": quantize_model(copy.deepcopy(model), bits=8),
            f"int4 (ours, group {args.group_size})": quantize_model(copy.deepcopy(model), bits=4,
                                                                    group_size=args.group_size),
            "quantize_dynamic int8": quantize_dynamic(copy.deepcopy(model), {nn.Linear}, dtype=torch.qint8),
        }
        rows, reference = {}, None
        for name, version in versions.items():
            ppl, speed, kl, logprobs = _evaluate(version, held_out, reference)
            reference = reference or logprobs  # fp32 comes first
            rows[name] = dict(memory=state_dict_bytes(version), disk=saved_bytes(version), ppl=ppl, speed=speed,
                              kl=kl)

    base = rows["fp32"]
    print(f"\n{'version':26s} {'memory MB':>10s} {'x smaller':>9s} {'disk MB':>8s} {'perplexity':>11s} "
          f"{'change':>8s} {'KL to fp32':>10s} {'tokens/s':>9s}")
    for name, r in rows.items():
        print(f"{name:26s} {r['memory'] / 1e6:10.2f} {base['memory'] / r['memory']:9.2f} {r['disk'] / 1e6:8.2f} "
              f"{r['ppl']:11.3f} {100 * (r['ppl'] / base['ppl'] - 1):+7.2f}% {r['kl']:10.2e} {r['speed']:9.0f}")
    int8, int4 = rows["int8 (ours)"], rows[f"int4 (ours, group {args.group_size})"]
    dyn = rows["quantize_dynamic int8"]
    checks = [
        (f"int8 >= {TARGETS['int8_size']}x smaller than fp32 (whole model)",
         base["memory"] / int8["memory"] >= TARGETS["int8_size"]),
        (f"int8 perplexity within +{TARGETS['int8_ppl']:.0%}", int8["ppl"] <= base["ppl"] * (1 + TARGETS["int8_ppl"])),
        (f"int4 >= {TARGETS['int4_size']}x smaller than fp32", base["memory"] / int4["memory"] >= TARGETS["int4_size"]),
        ("int8 at least as accurate as quantize_dynamic (KL divergence from fp32's predictions per token)",
         int8["kl"] <= dyn["kl"]),
        ("int8 uses no more memory than quantize_dynamic", int8["memory"] <= dyn["memory"]),
    ]
    print("(perplexity change: how much worse the next-token predictions get; KL: how far each version's "
          "predicted distribution is from fp32's, a steadier measure of the damage than a small perplexity change)")
    print()
    for what, ok in checks:
        print(f"{'ok  ' if ok else 'MISS'} {what}")
    print(f"int4 perplexity change: {100 * (int4['ppl'] / base['ppl'] - 1):+.2f}%. tokens/s: dequantizing each "
          "weight on every call costs time on a CPU; the saving is memory (a GPU kernel that reads int8/int4 "
          "directly also gains speed, as memory bandwidth bounds generation).")
    return rows


if __name__ == "__main__":
    main()
