"""Benchmark for problem 15: training tokens/s of one full step, the reference against HuggingFace.

One training step is forward, the shifted next-token loss, backward and an AdamW step (weight
decay on the matrices, ``gpt2.training.optimizer_groups``). Both models have GPT-2 small's
geometry (124M parameters, random weights, built offline), the same weights, the same batch and
the same dropout, in train mode; the two are timed alternately in one run, after a warm-up, and
the median of a few repeats is reported, so the ratio holds on any machine.

``python -m coursetools.bench_train [--batch 1] [--seq 256] [--repeats 3] [--device cpu|cuda]
[--profile]``; ``make bench-train`` runs it with the defaults (1 x 256 tokens on the CPU, about
two minutes on two cores; on a GPU 8 x 1024). ``--profile`` prints where each model's step spends
its time (torch.profiler, the top operators).
"""
from __future__ import annotations

import argparse
import statistics
import time
import warnings

import torch

from gpt2.testing import random_hf_gpt2, with_hf_weights
from gpt2.training import lm_loss, optimizer_groups


def build_pair(device: str):
    """GPT-2 small, random weights: HF's GPT2LMHeadModel and the reference with the same tensors."""
    hf = random_hf_gpt2(seed=0, n_layer=12, n_embd=768, n_head=12, n_positions=1024, vocab_size=50257,
                        bos_token_id=50256, eos_token_id=50256)
    ours = with_hf_weights(hf)
    return ours.to(device).train(), hf.to(device).train()


def make_step(model, ids: torch.Tensor, huggingface: bool):
    optimizer = torch.optim.AdamW(optimizer_groups(model, 0.1), lr=1e-4, betas=(0.9, 0.95))

    def step() -> float:
        optimizer.zero_grad(set_to_none=True)
        loss = model(input_ids=ids, labels=ids).loss if huggingface else lm_loss(model(ids), ids)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        return loss.item()
    return step


def timed(step, device: str) -> float:
    if device == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    step()
    if device == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start


def profile(step, label: str, device: str, rows: int = 12) -> None:
    from torch.profiler import ProfilerActivity, profile as torch_profile

    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device == "cuda" else [])
    with torch_profile(activities=activities) as prof:
        step()
    key = "cuda_time_total" if device == "cuda" else "cpu_time_total"
    print(f"\n--- {label}: top operators by {key} ---")
    print(prof.key_averages().table(sort_by=key, row_limit=rows))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--batch", type=int, default=None, help="sequences per step (1 on the CPU, 8 on a GPU)")
    parser.add_argument("--seq", type=int, default=None, help="tokens per sequence (256 on the CPU, 1024 on a GPU)")
    parser.add_argument("--repeats", type=int, default=3, help="timed steps per model (after one warm-up step)")
    parser.add_argument("--profile", action="store_true", help="print where each model's step spends its time")
    args = parser.parse_args(argv)
    device = args.device
    batch = args.batch or (8 if device == "cuda" else 1)
    seq = args.seq or (1024 if device == "cuda" else 256)
    warnings.filterwarnings("ignore")
    torch.manual_seed(0)
    ours, hf = build_pair(device)
    ids = torch.randint(0, 50257, (batch, seq), generator=torch.Generator().manual_seed(0)).to(device)
    steps = {"reference gpt2.GPT2Model": make_step(ours, ids, False),
             "transformers GPT2LMHeadModel": make_step(hf, ids, True)}
    attention = getattr(hf.config, "_attn_implementation", "?")
    print(f"One training step (forward, loss, backward, clip, AdamW) on GPT-2 small's geometry "
          f"({ours.num_parameters():,} parameters, random weights, dropout 0.1, train mode); batch {batch} x {seq} "
          f"tokens; device {device}, {torch.get_num_threads()} CPU threads; PyTorch {torch.__version__}; "
          f"HF attention: {attention}")
    with torch.no_grad():  # same weights, same outputs (eval mode, no dropout)
        ours.eval(), hf.eval()
        gap = (ours(ids[:, :32]) - hf(ids[:, :32]).logits).abs().max().item()
        ours.train(), hf.train()
    print(f"same weights: max |logits difference| in eval mode = {gap:.2e}")
    times = {name: [] for name in steps}
    for name, step in steps.items():  # warm-up: allocator, AdamW's state, kernels
        step()
    for _ in range(args.repeats):  # alternate, so both see the same machine load
        for name, step in steps.items():
            times[name].append(timed(step, device))
    tokens = batch * seq
    rates = {name: tokens / statistics.median(t) for name, t in times.items()}
    for name, rate in rates.items():
        runs = ", ".join(f"{t:.3f}" for t in times[name])
        print(f"  {name:30s} {rate:10,.0f} tokens/s  (median of {args.repeats} steps: {runs} s)")
    ours_rate, hf_rate = rates["reference gpt2.GPT2Model"], rates["transformers GPT2LMHeadModel"]
    ratio = ours_rate / hf_rate
    print(f"reference / HF = {ratio:.2f}x " + ("(the reference is at least as fast)" if ratio >= 1.0 else
                                               "(the reference is SLOWER: run with --profile to see where)"))
    if args.profile:
        for name, step in steps.items():
            profile(step, name, device)


if __name__ == "__main__":
    main()
