"""Problem 15. Fine-tuning GPT-2: data, loss, optimizer, schedule, one training step, evaluation
and checkpoints, in the style of nanoGPT's ``train.py``. Problems 16 (LoRA) and 17 (quantization)
reuse these pieces.

Public API (stable):
    IGNORE_INDEX                     -100, the label of a position that is not a target (padding)
    read_text(source)                a string, or the text of a ``.txt`` path
    load_token_ids(source, tok=None) 1-D LongTensor of GPT-2 token ids
    split_windows(ids, block_size, val_fraction=0.1) -> (train, val), each (N, block_size)
    batches(windows, batch_size, *, shuffle=False, generator=None) -> [(inputs, labels), ...]
    lm_loss(logits, labels, ignore_index=-100)   shifted next-token cross-entropy
    optimizer_groups(model, weight_decay)        AdamW parameter groups (decay on matrices only)
    make_optimizer(model, lr, weight_decay=0.1, betas=(0.9, 0.95))
    lr_at(step, *, max_lr, min_lr, warmup_steps, max_steps)   linear warmup, then cosine decay
    make_scheduler(optimizer, *, warmup_steps, max_steps, min_lr_ratio=0.1)   the same as LambdaLR
    train_step(model, optimizer, micro_batches, *, max_grad_norm=1.0, scheduler=None) -> loss
    evaluate(model, batches) -> (loss, perplexity)
    save_checkpoint(path, model, optimizer, scheduler=None, step=0)
    load_checkpoint(path, model, optimizer=None, scheduler=None) -> step
    fit(model, train, val, *, steps, ...) -> history dict   a whole short run (the notebooks' activities)

Labels follow HuggingFace's convention: ``labels`` are the input ids themselves (padding set to
IGNORE_INDEX), and the loss shifts them, so ``lm_loss(model(ids), ids)`` equals
``GPT2LMHeadModel(ids, labels=ids).loss`` on the same weights.
"""
from __future__ import annotations

import math
import os
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

IGNORE_INDEX = -100  # F.cross_entropy's and HuggingFace's default


# --- data ----------------------------------------------------------------------------------------
def read_text(source: str | os.PathLike) -> str:
    """``source`` itself when it is text, or the content of the file it names: a ``Path``, or a
    string that ends in ``.txt`` and names an existing file (read as UTF-8)."""
    if isinstance(source, os.PathLike):
        return Path(source).read_text(encoding="utf-8")
    if isinstance(source, str) and source.endswith(".txt") and "\n" not in source and Path(source).is_file():
        return Path(source).read_text(encoding="utf-8")
    if not isinstance(source, str):
        raise TypeError(f"source must be a string or a path, got {type(source).__name__}")
    return source


def load_token_ids(source: str | os.PathLike, tokenizer=None) -> torch.Tensor:
    """The GPT-2 token ids of ``read_text(source)``, as a 1-D LongTensor (the real tokenizer by
    default)."""
    if tokenizer is None:
        from .tokenizer import load_tokenizer
        tokenizer = load_tokenizer()
    text = read_text(source)
    # The tokenizer warns about sequences longer than 1024 tokens: we cut windows ourselves.
    ids = tokenizer(text, verbose=False)["input_ids"] if callable(tokenizer) else tokenizer.encode(text)
    return torch.tensor(ids, dtype=torch.long)


def split_windows(ids: torch.Tensor, block_size: int, val_fraction: float = 0.1):
    """Cut a token stream into training and validation windows with no window crossing the split.

    The stream is split once, at ``n_train = round(len(ids) * (1 - val_fraction))``: the training
    windows come from ``ids[:n_train]``, the validation windows from ``ids[n_train:]``. Each part
    is cut into as many consecutive, non-overlapping ``block_size`` windows as fit (the leftover
    tokens at the end of each part are dropped). A window is both a model's input and, shifted by
    one inside ``lm_loss``, its next-token targets.

    Returns (train (N_train, block_size), val (N_val, block_size)), LongTensors; ValueError if
    block_size < 2, val_fraction is outside (0, 1), or a part is shorter than one window.
    """
    if block_size < 2:
        raise ValueError(f"block_size must be at least 2 (an input and a target), got {block_size}")
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
    ids = torch.as_tensor(ids).reshape(-1)
    n_train = round(len(ids) * (1 - val_fraction))
    parts = []
    for name, part in (("training", ids[:n_train]), ("validation", ids[n_train:])):
        n = len(part) // block_size
        if n == 0:
            raise ValueError(f"the {name} part has {len(part)} tokens, fewer than one window of "
                             f"block_size={block_size}: use more text or a smaller block_size")
        parts.append(part[: n * block_size].reshape(n, block_size).clone())
    return parts[0], parts[1]


def batches(windows: torch.Tensor, batch_size: int, *, shuffle: bool = False,
            generator: torch.Generator | None = None) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """(inputs, labels) pairs of up to ``batch_size`` windows; labels are a copy of the inputs."""
    order = torch.randperm(len(windows), generator=generator) if shuffle else torch.arange(len(windows))
    return [(windows[i], windows[i].clone()) for i in order.split(batch_size)]


# --- loss ----------------------------------------------------------------------------------------
def lm_loss(logits: torch.Tensor, labels: torch.Tensor, ignore_index: int = IGNORE_INDEX) -> torch.Tensor:
    """Mean next-token cross-entropy: position t's logits predict ``labels[:, t + 1]``.

    logits (B, T, V), labels (B, T) -> a scalar, the mean over the (B, T - 1) shifted targets that
    are not ``ignore_index`` (padding). Equal to ``GPT2LMHeadModel(ids, labels=labels).loss``.
    """
    shifted_logits = logits[:, :-1, :]          # (B, T-1, V): no target after the last position
    targets = labels[:, 1:]                     # (B, T-1): the next token of each position
    return F.cross_entropy(shifted_logits.reshape(-1, shifted_logits.size(-1)), targets.reshape(-1),
                           ignore_index=ignore_index)


def count_targets(labels: torch.Tensor, ignore_index: int = IGNORE_INDEX) -> int:
    """How many shifted targets of ``labels`` (B, T) count in ``lm_loss``."""
    return int((labels[:, 1:] != ignore_index).sum())


# --- optimizer and schedule ------------------------------------------------------------------------
def optimizer_groups(model: nn.Module, weight_decay: float) -> list[dict]:
    """AdamW parameter groups: ``[{"params": decay, "weight_decay": weight_decay},
    {"params": no_decay, "weight_decay": 0.0}]``.

    Weight decay pulls weights towards 0, which regularises the matrices that mix features
    (linear and Conv1D weights). Biases and LayerNorm gains only shift and scale, and pulling a
    gain towards 0 (not 1) fights the normalisation, so they are not decayed; nor are embeddings,
    whose rows for rare tokens would shrink every step though they are rarely seen. GPT-2's LM
    head shares its Parameter with the token embedding (weight tying): it is one tensor, listed
    once (``named_parameters`` yields a shared Parameter once), as an embedding, without decay.
    Frozen parameters (``requires_grad=False``, LoRA's base weights) are left out.
    """
    embeddings = {id(m.weight) for m in model.modules() if isinstance(m, nn.Embedding)}
    decay, no_decay = [], []
    for _, param in model.named_parameters():  # each Parameter once, tied ones included
        if not param.requires_grad:
            continue
        (decay if param.dim() >= 2 and id(param) not in embeddings else no_decay).append(param)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def make_optimizer(model: nn.Module, lr: float, weight_decay: float = 0.1,
                   betas: tuple[float, float] = (0.9, 0.95)) -> torch.optim.AdamW:
    """AdamW over ``optimizer_groups(model, weight_decay)`` (GPT-2/3's betas)."""
    return torch.optim.AdamW(optimizer_groups(model, weight_decay), lr=lr, betas=betas)


def lr_at(step: int, *, max_lr: float, min_lr: float, warmup_steps: int, max_steps: int) -> float:
    """The learning rate of optimizer step ``step`` (counted from 0).

    Warmup, steps 0 .. warmup_steps - 1: ``max_lr * (step + 1) / warmup_steps``, rising linearly
    so that the first step already trains and the last warmup step reaches max_lr. Then cosine
    decay from max_lr at ``warmup_steps`` to min_lr at ``max_steps``:
    ``min_lr + (max_lr - min_lr) * 0.5 * (1 + cos(pi * progress))``,
    ``progress = (step - warmup_steps) / (max_steps - warmup_steps)``; min_lr after max_steps.
    """
    if step < warmup_steps:
        return max_lr * (step + 1) / warmup_steps
    if step >= max_steps:
        return min_lr
    progress = (step - warmup_steps) / (max_steps - warmup_steps)
    return min_lr + (max_lr - min_lr) * 0.5 * (1.0 + math.cos(math.pi * progress))


def make_scheduler(optimizer: torch.optim.Optimizer, *, warmup_steps: int, max_steps: int,
                   min_lr_ratio: float = 0.1) -> torch.optim.lr_scheduler.LambdaLR:
    """``lr_at`` as a LambdaLR: each group's lr is its initial lr times
    ``lr_at(step, max_lr=1, min_lr=min_lr_ratio, ...)``. Call ``scheduler.step()`` once after
    each ``optimizer.step()``."""
    def factor(step: int) -> float:
        return lr_at(step, max_lr=1.0, min_lr=min_lr_ratio, warmup_steps=warmup_steps, max_steps=max_steps)

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


# --- one training step -----------------------------------------------------------------------------
def train_step(model: nn.Module, optimizer: torch.optim.Optimizer, micro_batches, *,
               max_grad_norm: float | None = 1.0, scheduler=None) -> float:
    """One optimizer step over ``micro_batches``, a list of k (inputs, labels) pairs.

    Puts the model in train mode, clears the gradients, and accumulates the gradient of
    ``lm_loss`` over the k micro-batches so that it equals the gradient of the loss of one big
    batch holding all of them: the mean over every target token of every micro-batch. Each
    micro-batch's mean loss is weighted by its share of the target tokens (n_i / N), which is
    1 / k when they all hold the same number of targets. Then clips the gradients' total norm
    to ``max_grad_norm`` (None: no clipping), steps the optimizer, and steps ``scheduler`` (when
    given) once. Returns the big batch's loss (a float, before the step).
    """
    model.train()
    optimizer.zero_grad(set_to_none=True)
    total = sum(count_targets(labels) for _, labels in micro_batches)
    loss_sum = 0.0
    for inputs, labels in micro_batches:
        share = count_targets(labels) / max(total, 1)
        loss = lm_loss(model(inputs), labels)
        if share > 0:  # a micro-batch of padding only adds nothing (and its mean would be NaN)
            (loss * share).backward()
            loss_sum += loss.item() * share
    if max_grad_norm is not None:
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
    optimizer.step()
    if scheduler is not None:
        scheduler.step()
    return loss_sum


# --- evaluation ------------------------------------------------------------------------------------
@torch.no_grad()
def evaluate(model: nn.Module, batches) -> tuple[float, float]:
    """(loss, perplexity) over (inputs, labels) ``batches``: the mean ``lm_loss`` over every target
    token of every batch, and exp of it. Runs in eval mode (no dropout) without building a graph,
    and gives the model back in the mode it came in."""
    was_training = model.training
    model.eval()
    try:
        loss_sum, count = 0.0, 0
        for inputs, labels in batches:
            n = count_targets(labels)
            if n:
                loss_sum += lm_loss(model(inputs), labels).item() * n
                count += n
    finally:
        model.train(was_training)
    loss = loss_sum / count
    return loss, math.exp(loss)


# --- checkpoints -----------------------------------------------------------------------------------
def save_checkpoint(path, model: nn.Module, optimizer: torch.optim.Optimizer, scheduler=None,
                    step: int = 0) -> None:
    """Save everything a run needs to continue exactly: the model's and the optimizer's state
    (AdamW's moments), the scheduler's, the step, and torch's random state (dropout, shuffling)."""
    torch.save({
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": None if scheduler is None else scheduler.state_dict(),
        "step": step,
        "rng": torch.get_rng_state(),
    }, path)


def load_checkpoint(path, model: nn.Module, optimizer: torch.optim.Optimizer | None = None,
                    scheduler=None) -> int:
    """Restore what ``save_checkpoint`` saved into the given objects; returns the step."""
    state = torch.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict(state["model"])
    if optimizer is not None:
        optimizer.load_state_dict(state["optimizer"])
    if scheduler is not None and state["scheduler"] is not None:
        scheduler.load_state_dict(state["scheduler"])
    torch.set_rng_state(state["rng"])
    return state["step"]


# --- a whole short run ------------------------------------------------------------------------------
def fit(model: nn.Module, train: torch.Tensor, val: torch.Tensor, *, steps: int, batch_size: int = 8,
        accumulation: int = 1, lr: float = 3e-4, min_lr_ratio: float = 0.1, warmup_steps: int | None = None,
        weight_decay: float = 0.1, max_grad_norm: float = 1.0, eval_every: int | None = None,
        optimizer: torch.optim.Optimizer | None = None, seed: int = 0, progress: bool = False) -> dict:
    """Fine-tune ``model`` for ``steps`` optimizer steps on the ``train`` windows (each step
    ``accumulation`` micro-batches of ``batch_size``), evaluating on the ``val`` windows.

    Returns {"step": [...], "train_loss": [...], "val_step": [...], "val_loss": [...]}.
    ``optimizer`` defaults to ``make_optimizer(model, lr, weight_decay)``.
    """
    generator = torch.Generator().manual_seed(seed)
    optimizer = optimizer or make_optimizer(model, lr, weight_decay)
    warmup_steps = max(1, steps // 10) if warmup_steps is None else warmup_steps
    scheduler = make_scheduler(optimizer, warmup_steps=warmup_steps, max_steps=steps, min_lr_ratio=min_lr_ratio)
    eval_every = eval_every or max(1, steps // 10)
    val_batches = batches(val, batch_size)
    history = {"step": [], "train_loss": [], "val_step": [], "val_loss": []}
    pool: list = []
    iterator = range(steps)
    if progress:
        from tqdm.auto import tqdm
        iterator = tqdm(iterator, desc="training")
    for step in iterator:
        micro = []
        for _ in range(accumulation):
            if not pool:
                pool = batches(train, batch_size, shuffle=True, generator=generator)
            micro.append(pool.pop())
        history["step"].append(step)
        history["train_loss"].append(train_step(model, optimizer, micro, max_grad_norm=max_grad_norm,
                                                scheduler=scheduler))
        if (step + 1) % eval_every == 0 or step == steps - 1:
            history["val_step"].append(step + 1)
            history["val_loss"].append(evaluate(model, val_batches)[0])
    return history
