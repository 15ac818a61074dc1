"""Benchmark for problem 14: greedy generation uncached, KV-cached and HuggingFace's, and the
forward pass of the reference against HuggingFace's, all on the same random GPT-2 small weights.

Offline: the weights are random (GPT-2 small's geometry), loaded into both models. Each row is
the median of a few timed runs after a warm-up, under ``torch.inference_mode``.
``python -m coursetools.bench_generate [--quick]`` (``make bench-generate``).
"""
from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import time

import torch

PROMPT, NEW_TOKENS = 20, 200
FORWARD_SHAPES = ((1, 64), (1, 512), (4, 256))


def _median_seconds(run, repeats: int, warm_up: bool = True) -> float:
    if warm_up:
        run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def build_models(seed: int = 0):
    """(reference GPT2Model, transformers GPT2LMHeadModel), same random GPT-2 small weights, eval."""
    import gpt2
    from gpt2.pretrained import convert_hf_state_dict
    from gpt2.testing import random_hf_gpt2

    config = gpt2.GPT2Config.gpt2_small()
    hf = random_hf_gpt2(seed, vocab_size=config.vocab_size, n_positions=config.n_positions,
                        n_embd=config.n_embd, n_layer=config.n_layer, n_head=config.n_head)
    with torch.device("meta"):
        ours = gpt2.GPT2Model(config)
    ours.to_empty(device="cpu")
    ours.lm_head.weight = ours.embeddings.wte.weight
    ours.load_state_dict(convert_hf_state_dict(hf.state_dict(), config.n_layer))
    return ours.eval(), hf


def generation_table(ours, hf, repeats: int = 3, new_tokens: int = NEW_TOKENS) -> list[str]:
    from gpt2.generation import generate

    prompt = torch.randint(0, ours.config.vocab_size, (1, PROMPT), generator=torch.Generator().manual_seed(0))

    def runs(n):
        return {
            "reference, uncached": lambda: generate(ours, prompt, n),
            "reference, KV cache": lambda: generate(ours, prompt, n, use_cache=True),
            "HF generate, its cache": lambda: hf.generate(prompt, attention_mask=torch.ones_like(prompt),
                                                            do_sample=False, max_new_tokens=n,
                                                            min_new_tokens=n, pad_token_id=0),
        }
    for run in runs(4).values():  # warm-up
        run()
    outputs, seconds = {}, {}
    for name, run in runs(new_tokens).items():
        times = []
        for _ in range(1 if "uncached" in name else repeats):  # the uncached row is slow: once
            start = time.perf_counter()
            outputs[name] = run()
            times.append(time.perf_counter() - start)
        seconds[name] = statistics.median(times)
    same = all(torch.equal(out, outputs["reference, uncached"]) for out in outputs.values())
    base, hf_s = seconds["reference, uncached"], seconds["HF generate, its cache"]
    lines = [f"greedy generation: {PROMPT}-token prompt, {new_tokens} new tokens, batch 1 "
             f"(tokens identical in all rows: {same})",
             f"{'':26s}{'tokens/s':>10s}{'vs uncached':>13s}{'vs HF':>8s}"]
    for name, s in seconds.items():
        lines.append(f"{name:26s}{new_tokens / s:10.1f}{base / s:12.2f}x{hf_s / s:7.2f}x")
    return lines


def forward_table(ours, hf, repeats: int = 3) -> list[str]:
    lines = ["forward pass (logits), reference time / HF time:",
             f"{'input':10s}{'reference ms':>14s}{'HF ms':>10s}{'ratio':>8s}"]
    ratios = []
    for B, T in FORWARD_SHAPES:
        ids = torch.randint(0, ours.config.vocab_size, (B, T), generator=torch.Generator().manual_seed(1))
        ref_s = _median_seconds(lambda: ours(ids), repeats)
        hf_s = _median_seconds(lambda: hf(ids).logits, repeats)
        ratios.append(ref_s / hf_s)
        lines.append(f"{f'{B}x{T}':10s}{ref_s * 1e3:14.1f}{hf_s * 1e3:10.1f}{ratios[-1]:8.2f}")
    lines.append(f"{'geometric mean':34s}{math.exp(sum(map(math.log, ratios)) / len(ratios)):8.2f}  (target <= 0.9)")
    return lines


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer tokens and repeats (a smoke test)")
    args = parser.parse_args(argv)
    import transformers

    transformers.logging.set_verbosity_error()
    print(f"machine: {platform.machine()} {platform.processor() or ''}, {os.cpu_count()} CPUs, "
          f"torch {torch.__version__} with {torch.get_num_threads()} threads, transformers {transformers.__version__}")
    print("the same random GPT-2 small weights (124M parameters, fp32) in every row; medians after a warm-up")
    start = time.perf_counter()
    ours, hf = build_models()
    with torch.inference_mode():
        for line in generation_table(ours, hf, repeats=1 if args.quick else 3,
                                     new_tokens=20 if args.quick else NEW_TOKENS):
            print(line, flush=True)
        print()
        for line in forward_table(ours, hf, repeats=1 if args.quick else 3):
            print(line, flush=True)
    print(f"\n(benchmark took {time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
