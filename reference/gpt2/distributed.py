"""Data-parallel training on PyTorch's own engine, ``torch.distributed`` (problem 18).

Every process ("rank") holds a full replica of the model, trains on its own shard of the data,
and the ranks average their gradients before each optimizer step, so the replicas stay equal.
Backends: gloo on CPU, NCCL on GPUs. The processes are started by ``torchrun``, which tells each
one who it is through environment variables:

    RANK            this process's number among all processes, 0 .. WORLD_SIZE-1
    WORLD_SIZE      how many processes take part in all
    LOCAL_RANK      its number on this machine (which GPU it uses)
    MASTER_ADDR/PORT  where rank 0's rendezvous store listens

One machine:   torchrun --nproc_per_node 2 train.py
Two machines:  torchrun --nnodes 2 --nproc_per_node 8 --rdzv-backend c10d \
                   --rdzv-endpoint HOST0:29500 --rdzv-id job42 train.py   (the same command on both)

The first part holds the reference components the learner writes in problem 18; the second
launches ranks (``run_torchrun`` for scripts, ``launch_ranks`` for the course's tests, which
starts them the way torchrun does from one already-imported Python); the third is the grading
harness the notebook's tests call.
"""
from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Callable, Iterator, Sequence

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import Sampler

# --- the reference components --------------------------------------------------------------------


def setup_distributed(backend: str | None = None, timeout_s: float = 60.0) -> tuple[int, int, int]:
    """Join the process group that ``torchrun`` describes in the environment.

    Reads ``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK``; ``init_process_group`` finds rank 0 through
    ``MASTER_ADDR``/``MASTER_PORT``. Backend: ``"nccl"`` when CUDA is available, else ``"gloo"``.
    Every collective gives up with an error after ``timeout_s`` seconds instead of waiting for a
    dead or stuck rank forever. On a GPU, each process uses the GPU ``LOCAL_RANK`` of its machine.

    Returns ``(rank, world_size, local_rank)``.
    """
    rank, world_size = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if backend is None:
        backend = "nccl" if torch.cuda.is_available() else "gloo"
    if backend == "nccl":
        torch.cuda.set_device(local_rank)
    dist.init_process_group(backend, rank=rank, world_size=world_size,
                            timeout=datetime.timedelta(seconds=timeout_s))
    return rank, world_size, local_rank


def cleanup_distributed() -> None:
    """Leave the process group: ``destroy_process_group`` (if one is initialised)."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


@torch.no_grad()
def broadcast_parameters(model: nn.Module, src: int = 0) -> None:
    """Make every rank's replica equal to rank ``src``'s: broadcast each parameter and buffer in place."""
    for tensor in [*model.parameters(), *model.buffers()]:
        dist.broadcast(tensor.data, src=src)


class ShardedSampler(Sampler):
    """The indices ``0 .. dataset_size-1`` split between ``world_size`` ranks: rank ``rank`` gets
    every ``world_size``-th index of one (shuffled) order, starting at position ``rank``.

    All ranks use the same order (the same ``seed`` and epoch), so the shards are disjoint. When
    ``dataset_size`` is not a multiple of ``world_size``, every rank must still get the same number
    of indices (otherwise one rank runs an extra step whose all-reduce nobody answers):
    ``drop_last=False`` pads the order with its first indices (a few samples are seen twice),
    ``drop_last=True`` drops the last ``dataset_size % world_size`` indices of the order.
    ``set_epoch(e)`` reshuffles (call it at the start of each epoch, on every rank).
    """

    def __init__(self, dataset_size: int, rank: int, world_size: int, shuffle: bool = True,
                 seed: int = 0, drop_last: bool = False):
        if not 0 <= rank < world_size:
            raise ValueError(f"rank must be in [0, {world_size}), got {rank}")
        self.dataset_size, self.rank, self.world_size = dataset_size, rank, world_size
        self.shuffle, self.seed, self.drop_last, self.epoch = shuffle, seed, drop_last, 0
        if drop_last:
            self.num_samples = dataset_size // world_size
        else:
            self.num_samples = math.ceil(dataset_size / world_size)
        self.total_size = self.num_samples * world_size

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __iter__(self) -> Iterator[int]:
        if self.shuffle:
            g = torch.Generator().manual_seed(self.seed + self.epoch)
            order = torch.randperm(self.dataset_size, generator=g).tolist()
        else:
            order = list(range(self.dataset_size))
        if self.total_size > len(order):  # pad with the first indices, repeated as often as needed
            order += (order * math.ceil(self.total_size / max(len(order), 1)))[:self.total_size - len(order)]
        order = order[:self.total_size]
        return iter(order[self.rank:self.total_size:self.world_size])

    def __len__(self) -> int:
        return self.num_samples


@torch.no_grad()
def average_gradients(model: nn.Module) -> None:
    """Replace each parameter's ``.grad`` by its average over all ranks (``all_reduce`` of the sum,
    divided by the world size: every backend has SUM, not every one AVG). Parameters without a
    gradient (frozen or unused) are skipped."""
    world_size = dist.get_world_size()
    for p in model.parameters():
        if p.grad is not None:
            dist.all_reduce(p.grad, op=dist.ReduceOp.SUM)
            p.grad /= world_size


def train_step_ddp(model: DDP, micro_batches: Sequence[tuple[torch.Tensor, torch.Tensor]],
                   optimizer: torch.optim.Optimizer,
                   loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = F.cross_entropy) -> float:
    """One optimizer step of a ``DistributedDataParallel`` model, accumulating the gradients of
    several micro-batches.

    Each micro-batch ``(inputs, targets)`` contributes ``loss_fn(model(inputs), targets) / k``
    (``k`` micro-batches). DDP all-reduces the gradients during ``backward``; inside
    ``model.no_sync()`` it does not, so all but the last backward run inside ``no_sync`` and the
    last one averages the accumulated sum once. Then ``optimizer.step()`` and ``zero_grad()``.

    Returns the mean of the micro-batches' losses on this rank, as a float.
    """
    k = len(micro_batches)
    total = 0.0
    for i, (inputs, targets) in enumerate(micro_batches):
        sync = contextlib.nullcontext() if i == k - 1 else model.no_sync()
        with sync:
            logits = model(inputs)
            loss = loss_fn(logits.flatten(0, -2), targets.flatten()) if logits.dim() > 2 else loss_fn(logits, targets)
            (loss / k).backward()
        total += loss.item()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return total / k


def print_rank0(*args, **kwargs) -> None:
    """``print`` on rank 0 only (every rank printing gives N copies of each line)."""
    if not dist.is_initialized() or dist.get_rank() == 0:
        print(*args, **kwargs)


def save_checkpoint_rank0(model: nn.Module, optimizer: torch.optim.Optimizer, step: int, path) -> None:
    """Rank 0 writes ``{"model", "optimizer", "step"}`` to ``path`` with ``torch.save``; the model's
    state dict is the plain model's (unwrapped from DDP: no ``module.`` prefix). Every rank then
    waits at a barrier, so that no rank reads the file before it is complete."""
    if dist.get_rank() == 0:
        plain = model.module if isinstance(model, DDP) else model
        torch.save({"model": plain.state_dict(), "optimizer": optimizer.state_dict(), "step": step}, path)
    dist.barrier()


COMPONENTS = ("setup_distributed", "cleanup_distributed", "broadcast_parameters", "ShardedSampler",
              "average_gradients", "train_step_ddp", "print_rank0", "save_checkpoint_rank0")


# --- memory per rank -----------------------------------------------------------------------------
STRATEGIES = ("DDP", "ZeRO-1", "ZeRO-2", "FSDP / ZeRO-3")


def training_memory_bytes(n_params: int, world_size: int, strategy: str = "DDP") -> float:
    """Bytes per rank for the model state of fp32 training with Adam (activations not included):
    4 bytes of weights, 4 of gradients and 8 of Adam's two moments per parameter. DDP keeps all of
    it on every rank; ZeRO-1 shards the optimizer state, ZeRO-2 the gradients too, and FSDP
    (ZeRO-3) the weights as well (it gathers one layer's weights at a time to compute)."""
    weights, grads, adam = 4.0 * n_params, 4.0 * n_params, 8.0 * n_params
    n = world_size
    return {"DDP": weights + grads + adam, "ZeRO-1": weights + grads + adam / n,
            "ZeRO-2": weights + (grads + adam) / n, "FSDP / ZeRO-3": (weights + grads + adam) / n}[strategy]


# --- launching ranks -----------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def torchrun_command(script, nproc: int, *args: str, nnodes: int = 1, node_rank: int | None = None,
                     rdzv_endpoint: str | None = None) -> list[str]:
    """``python -m torch.distributed.run`` (what ``torchrun`` runs, from this Python's torch).

    One machine: a free port on 127.0.0.1. Several (``nnodes > 1``): the c10d rendezvous at
    ``rdzv_endpoint`` (``host:port`` of one of the machines); run the same command on each."""
    command = [sys.executable, "-m", "torch.distributed.run", f"--nproc_per_node={nproc}", f"--nnodes={nnodes}"]
    if nnodes == 1 and rdzv_endpoint is None:
        command += ["--master_addr=127.0.0.1", f"--master_port={free_port()}"]
    else:
        command += ["--rdzv-backend=c10d", f"--rdzv-endpoint={rdzv_endpoint}", "--rdzv-id=learn-gpt2"]
        if node_rank is not None:
            command += [f"--node-rank={node_rank}"]
    return command + [str(script), *map(str, args)]


def run_torchrun(script, nproc: int, *args: str, timeout_s: float = 120.0, cwd=None,
                 threads_per_rank: int = 1) -> str:
    """Run ``script`` under torchrun with ``nproc`` ranks on this machine; return what it printed.

    Nothing hangs: past ``timeout_s`` every rank is killed. A failure raises ``RuntimeError`` with
    the end of the output (torchrun names the rank that failed first)."""
    env = {**os.environ, "OMP_NUM_THREADS": str(threads_per_rank), "PYTHONUNBUFFERED": "1"}
    command = torchrun_command(script, nproc, *args)
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    try:
        out, _ = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, _ = process.communicate()
        raise RuntimeError(f"torchrun with {nproc} ranks ran past {timeout_s:g} s and was stopped. "
                           f"Its output ended with:\n{_tail(out)}") from None
    if process.returncode != 0:
        raise RuntimeError(f"torchrun with {nproc} ranks failed (exit code {process.returncode}). "
                           f"Its output ended with:\n{_tail(out)}")
    return out


def _tail(text: str, lines: int = 25) -> str:
    return "\n".join((text or "").rstrip().splitlines()[-lines:])


def torchrun_env(rank: int, world_size: int, master_port: int, nproc_per_node: int | None = None) -> dict:
    """The environment torchrun gives rank ``rank`` (``nproc_per_node`` ranks per machine)."""
    per_node = nproc_per_node or world_size
    return {"RANK": str(rank), "WORLD_SIZE": str(world_size), "LOCAL_RANK": str(rank % per_node),
            "LOCAL_WORLD_SIZE": str(min(per_node, world_size - rank // per_node * per_node)),
            "GROUP_RANK": str(rank // per_node), "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(master_port),
            "OMP_NUM_THREADS": "1"}


def launch_ranks(target: Callable[[int, int], None], world_size: int, *, timeout_s: float = 60.0,
                 nproc_per_node: int | None = None, log_dir=None, grace_s: float = 1.0) -> dict[int, dict]:
    """Run ``target(rank, world_size)`` in ``world_size`` forked processes that see torchrun's
    environment (``torchrun_env``). For the course's tests: it forks this already-imported Python
    instead of starting a fresh one per rank.

    Like torchrun it stops the others ``grace_s`` seconds after a rank fails, and it stops all of
    them at ``timeout_s``. Returns ``{rank: {"exit": code or None if killed, "log": output}}``.
    """
    import tempfile

    port = free_port()
    own_dir = log_dir is None
    log_dir = Path(tempfile.mkdtemp(prefix="ranks-") if own_dir else log_dir)
    pids = {}
    for rank in range(world_size):
        log = log_dir / f"rank{rank}.log"
        pid = os.fork()
        if pid == 0:  # the rank
            code = 1
            try:
                fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                os.dup2(fd, 1)
                os.dup2(fd, 2)
                sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", buffering=0), write_through=True)
                sys.stderr = sys.stdout
                os.environ.update(torchrun_env(rank, world_size, port, nproc_per_node))
                torch.set_num_threads(1)
                target(rank, world_size)
                code = 0
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else 1
            except BaseException:
                traceback.print_exc()
            finally:
                with contextlib.suppress(Exception):
                    sys.stdout.flush()
                os._exit(code)
        pids[pid] = rank
    exits: dict[int, int | None] = {}
    deadline, failed_at = time.monotonic() + timeout_s, None
    while len(exits) < world_size:
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid:
            if pid in pids:
                code = os.waitstatus_to_exitcode(status)
                exits[pids[pid]] = code
                if code != 0 and failed_at is None:
                    failed_at = time.monotonic()
            continue
        now = time.monotonic()
        if now > deadline or (failed_at is not None and now > failed_at + grace_s):
            for pid, rank in pids.items():
                if rank not in exits:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    exits[rank] = None
            break
        time.sleep(0.01)
    result = {rank: {"exit": exits.get(rank), "log": (log_dir / f"rank{rank}.log").read_text(errors="replace")
                     if (log_dir / f"rank{rank}.log").exists() else ""} for rank in range(world_size)}
    if own_dir:
        import shutil
        shutil.rmtree(log_dir, ignore_errors=True)
    return result


# --- exporting the learner's answers -------------------------------------------------------------
ANSWER_HEADER = '''"""The answer cells of problem 18, written by gpt2.distributed.export_answers."""
import contextlib
import datetime
import math
import os
import time
from pathlib import Path

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import Sampler

import gpt2
'''


def _code_files(obj) -> list[str]:
    """The files the code of a function or class (its methods) was compiled from; decorators
    (``@torch.no_grad()``) are looked through."""
    import inspect

    def code_file(f):
        f = inspect.unwrap(getattr(f, "__func__", f))
        return f.__code__.co_filename if hasattr(f, "__code__") else None

    if callable(obj) and not isinstance(obj, type):
        return [f for f in [code_file(obj)] if f]
    return [f for f in (code_file(v) for v in (vars(obj).values() if isinstance(obj, type) else ())) if f]


def answer_source(answers: dict) -> str:
    """A module's text that defines every answer: the text of the notebook cells that defined
    them (IPython keeps each cell's code in ``linecache``), after the setup cell's imports.
    An answer that is not from a cell (imported from a package) is imported the same way."""
    import linecache

    cells, imports = [], []
    for name, obj in answers.items():
        if obj is None:
            continue
        files = [f for f in _code_files(obj) if linecache.getlines(f) and not os.path.isfile(f)]
        if files:
            for f in files:
                text = "".join(linecache.getlines(f))
                if text not in cells:
                    cells.append(text)
        elif getattr(obj, "__module__", None) not in (None, "__main__") and getattr(obj, "__qualname__", "") \
                and "<" not in obj.__qualname__:
            imports.append(f"from {obj.__module__} import {obj.__qualname__} as {name}\n")
    return ANSWER_HEADER + "".join(imports) + "".join(f"\n\n# --- a notebook cell ---\n{c}" for c in cells)


def export_answers(path, answers: dict) -> Path:
    """Write ``answer_source(answers)`` to ``path`` (a module the ranks import); return the path."""
    path = Path(path)
    path.write_text(answer_source(answers))
    return path


# --- the grading harness -------------------------------------------------------------------------
CHECK_TIMEOUT_S = 6.0        # the harness's own process groups give up after this
STUCK_TIMEOUT_S = 2.0        # the timeout the stuck-rank check passes to the learner's setup
SETUP_TIMEOUT_S = 8.0        # the timeout the setup check passes
BETWEEN_CHECKS_S = 25.0      # how long a rank waits for the others before each check


def _tiny_model(seed: int, unused_parameter: bool = False) -> nn.Module:
    from .config import GPT2Config
    from .model import GPT2Model

    torch.manual_seed(seed)
    model = GPT2Model(GPT2Config(vocab_size=37, n_positions=12, n_embd=16, n_layer=1, n_head=2,
                                 resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0))
    if unused_parameter:  # a frozen parameter: its .grad stays None
        model.frozen = nn.Parameter(torch.zeros(3), requires_grad=False)
    return model


def _data(n: int, seed: int = 1, T: int = 8) -> torch.Tensor:
    return torch.randint(0, 37, (n, T + 1), generator=torch.Generator().manual_seed(seed))


def _lm_loss(model, rows: torch.Tensor) -> torch.Tensor:
    logits = model(rows[:, :-1])
    return F.cross_entropy(logits.flatten(0, 1), rows[:, 1:].flatten())


def _loss_fn(logits, targets):
    return F.cross_entropy(logits.flatten(0, -2), targets.flatten())


class _PlainSGD:
    """Plain SGD with the optimizer methods the answers call (step, zero_grad, state_dict). The
    checks use it instead of torch.optim.SGD: constructing a torch optimizer first imports
    torch._dynamo, seconds of every rank's time for nothing."""

    def __init__(self, params, lr: float):
        self.params = list(params)
        self.param_groups = [{"params": self.params, "lr": lr}]
        self.steps = 0

    @torch.no_grad()
    def step(self):
        self.steps += 1
        for p in self.params:
            if p.grad is not None:
                p -= self.param_groups[0]["lr"] * p.grad

    def zero_grad(self, set_to_none: bool = True):
        for p in self.params:
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.zero_()

    def state_dict(self) -> dict:
        return {"state": {"steps": self.steps}, "param_groups": [{"lr": self.param_groups[0]["lr"]}]}

    def load_state_dict(self, state: dict) -> None:
        self.steps = state["state"]["steps"]


def _digest(tensors) -> str:
    h = hashlib.sha256()
    for t in tensors:
        h.update(t.detach().contiguous().cpu().numpy().tobytes())
    return h.hexdigest()[:16]


def _flat(tensors) -> torch.Tensor:
    tensors = [t.detach().flatten() for t in tensors]
    return torch.cat(tensors) if tensors else torch.zeros(0)


def _harness_group(store, name: str) -> None:
    dist.init_process_group("gloo", store=dist.PrefixStore(name, store), rank=dist_rank(), world_size=dist_size(),
                            timeout=datetime.timedelta(seconds=CHECK_TIMEOUT_S))


def dist_rank() -> int:
    return int(os.environ["RANK"])


def dist_size() -> int:
    return int(os.environ["WORLD_SIZE"])


def _leave():
    with contextlib.suppress(Exception):
        if dist.is_initialized():
            dist.destroy_process_group()
    # a failed init_process_group (a learner's, timed out) still counted a group: the next group's
    # store keys would then differ between the ranks where it failed and the others
    with contextlib.suppress(Exception):
        if not dist.is_initialized():
            dist.distributed_c10d._world.group_count = 0


class _InitSpy:
    """Records how the learner calls init_process_group, and refuses a call that would hang
    (a rank or world size that disagrees with torchrun's environment)."""

    def __init__(self):
        self.calls = []

    def __enter__(self):
        self.real = dist.init_process_group

        def init(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1, *args, **kwargs):
            seen = {"backend": str(backend), "timeout_s": timeout.total_seconds() if timeout else None,
                    "rank": rank, "world_size": world_size, "init_method": init_method}
            self.calls.append(seen)
            if rank not in (-1, None) and rank != dist_rank():
                raise RuntimeError(
                    f"init_process_group(rank={rank}) on the process torchrun made rank {dist_rank()} "
                    f"(RANK={os.environ['RANK']}, LOCAL_RANK={os.environ['LOCAL_RANK']}): two processes would "
                    "claim the same rank and the group would never form")
            if world_size not in (-1, None) and world_size != dist_size():
                raise RuntimeError(f"init_process_group(world_size={world_size}) but WORLD_SIZE={dist_size()}")
            return self.real(backend, init_method=init_method, timeout=timeout, world_size=world_size, rank=rank,
                             *args, **kwargs)

        dist.init_process_group = init
        return self

    def __exit__(self, *exc):
        dist.init_process_group = self.real


def _error(err: BaseException) -> dict:
    return {"error": f"{type(err).__name__}: {err}".strip()[:1500], "type": type(err).__name__,
            "where": traceback.format_exc(limit=-3)[-1500:]}


# Each check: (rank, world, store, answers module, ref namespace) -> JSON-able observations.
def _check_setup(rank, world, store, mine, ctx):
    out = {}
    with _InitSpy() as spy:
        try:
            returned = mine.setup_distributed(timeout_s=SETUP_TIMEOUT_S)
            out["returned"] = list(returned) if isinstance(returned, (tuple, list)) else repr(returned)
        except NotImplementedError:
            raise
        except Exception as err:
            out.update(_error(err))
    out["init_calls"] = spy.calls
    out["initialized"] = dist.is_initialized()
    if out["initialized"]:
        out["backend"] = dist.get_backend()
        out["group_rank"], out["group_size"] = dist.get_rank(), dist.get_world_size()
        t = torch.ones(1)
        dist.all_reduce(t)
        out["sum_of_ones"] = t.item()
        try:
            mine.cleanup_distributed()
        except Exception as err:
            out["cleanup_error"] = f"{type(err).__name__}: {err}"
    out["initialized_after_cleanup"] = dist.is_initialized()
    _leave()
    return out


def _check_broadcast(rank, world, store, mine, ctx):
    model = nn.Sequential(nn.Linear(5, 4), nn.BatchNorm1d(4), nn.Linear(4, 3))
    torch.manual_seed(100 + rank)
    for p in model.parameters():
        p.data.normal_()
    model[1].running_mean.normal_()
    model[1].running_var.uniform_(0.5, 2.0)
    own = _digest(model.parameters())
    same_objects = [id(p) for p in model.parameters()]
    mine.broadcast_parameters(model)
    return {"own_params": own, "params": _digest(model.parameters()), "buffers": _digest(model.buffers()),
            "same_objects": same_objects == [id(p) for p in model.parameters()]}


def _union_grads(model_seed, data, shards, unused=False):
    single = _tiny_model(model_seed, unused)
    union = torch.cat([data[s] for s in shards])
    _lm_loss(single, union).backward()
    return single


def _check_average(rank, world, store, mine, ctx):
    n = ctx["n_samples"]
    data = _data(n)
    shards = [list(ShardedSampler(n, r, world, shuffle=True, seed=3)) for r in range(world)]
    model = _tiny_model(0, ctx.get("unused", False))
    _lm_loss(model, data[shards[rank]]).backward()
    local = [p.grad.clone() for p in model.parameters() if p.grad is not None]
    mine.average_gradients(model)
    single = _union_grads(0, data, shards, ctx.get("unused", False))
    got = _flat(p.grad for p in model.parameters() if p.grad is not None)
    want = _flat(p.grad for p in single.parameters() if p.grad is not None)
    if got.shape != want.shape:
        return {"shape_mismatch": [list(got.shape), list(want.shape)]}
    diff = (got - want).abs().max().item()
    ratio = (got @ want / (want @ want)).item()
    local_diff = (got - _flat(local)).abs().max().item()
    return {"max_diff": diff, "ratio": ratio, "unchanged": local_diff == 0.0, "grads": _digest([got])}


def _check_replicas(rank, world, store, mine, ctx):
    n, steps = ctx["n_samples"], 3
    data = _data(n * steps, seed=7)
    model = _tiny_model(50 + rank)
    broadcast_parameters(model)
    optimizer = _PlainSGD(model.parameters(), lr=0.5)
    for step in range(steps):
        chunk = data[step * n:(step + 1) * n]
        rows = chunk[list(ShardedSampler(n, rank, world, shuffle=False))]
        _lm_loss(model, rows).backward()
        mine.average_gradients(model)
        optimizer.step()
        optimizer.zero_grad()
    return {"params": _digest(model.parameters())}


def _ddp_run(step_fn, rank, world, ctx, steps=3, micro=2):
    n = ctx["n_samples"]
    model = _tiny_model(0)
    ddp = DDP(model)
    calls = {"n": 0}

    def counting_hook(state, bucket):
        calls["n"] += 1
        tensor = bucket.buffer().div_(dist.get_world_size())
        return dist.all_reduce(tensor, async_op=True).get_future().then(lambda f: f.value()[0])

    ddp.register_comm_hook(None, counting_hook)
    optimizer = _PlainSGD(ddp.parameters(), lr=0.5)
    data = _data(n * steps * micro, seed=11)
    per_step, losses = [], []
    for step in range(steps):
        batches = []
        for m in range(micro):
            chunk = data[(step * micro + m) * n:(step * micro + m + 1) * n]
            rows = chunk[list(ShardedSampler(n, rank, world, shuffle=False))]
            batches.append((rows[:, :-1], rows[:, 1:]))
        before = calls["n"]
        losses.append(step_fn(ddp, batches, optimizer, _loss_fn))
        per_step.append(calls["n"] - before)
    return model, per_step, losses


def _manual_run(rank, world, ctx, steps=3, micro=2):
    n = ctx["n_samples"]
    model = _tiny_model(0)
    optimizer = _PlainSGD(model.parameters(), lr=0.5)
    data = _data(n * steps * micro, seed=11)
    losses = []
    for step in range(steps):
        total = 0.0
        for m in range(micro):
            chunk = data[(step * micro + m) * n:(step * micro + m + 1) * n]
            rows = chunk[list(ShardedSampler(n, rank, world, shuffle=False))]
            loss = _lm_loss(model, rows)
            (loss / micro).backward()
            total += loss.item()
        average_gradients(model)
        optimizer.step()
        optimizer.zero_grad()
        losses.append(total / micro)
    return model, losses


def _check_ddp(rank, world, store, mine, ctx):
    model, per_step, losses = _ddp_run(mine.train_step_ddp, rank, world, ctx)
    _, ref_calls, _ = _ddp_run(train_step_ddp, rank, world, ctx, steps=1)
    manual, manual_losses = _manual_run(rank, world, ctx)
    got, want = _flat(model.parameters()), _flat(manual.parameters())
    start = _flat(_tiny_model(0).parameters())
    return {"max_diff": (got - want).abs().max().item(), "moved": (got - start).abs().max().item(),
            "calls_per_step": per_step, "reference_calls_per_step": ref_calls[0],
            "losses": [float(x) if isinstance(x, (int, float)) or torch.is_tensor(x) else repr(x) for x in losses],
            "reference_losses": manual_losses, "params": _digest(model.parameters())}


def _check_checkpoint(rank, world, store, mine, ctx):
    path = Path(ctx["workdir"]) / "checkpoint.pt"
    model = DDP(_tiny_model(0))
    optimizer = _PlainSGD(model.parameters(), lr=0.1)
    saves = []
    real_save = torch.save

    def spy_save(obj, f, *args, **kwargs):
        saves.append(str(f))
        if rank == 0:
            time.sleep(0.4)  # a slow disk: a rank that does not wait would read too early
        return real_save(obj, f, *args, **kwargs)

    torch.save = spy_save
    try:
        mine.save_checkpoint_rank0(model, optimizer, 17, str(path))
    finally:
        torch.save = real_save
    out = {"saves": saves, "exists": path.exists()}
    if path.exists():
        try:
            loaded = torch.load(path, weights_only=False)
            out["keys"] = sorted(loaded) if isinstance(loaded, dict) else repr(type(loaded))
            if isinstance(loaded, dict):
                out["step"] = repr(loaded.get("step"))
                state = loaded.get("model")
                if isinstance(state, dict):
                    out["prefixed"] = any(k.startswith("module.") for k in state)
                    plain = _tiny_model(1)
                    try:
                        plain.load_state_dict({k.removeprefix("module."): v for k, v in state.items()})
                        out["same_weights"] = _digest(plain.parameters()) == _digest(model.module.parameters())
                    except Exception as err:
                        out["load_error"] = f"{type(err).__name__}: {err}"[:300]
                out["has_optimizer"] = isinstance(loaded.get("optimizer"), dict) and "state" in loaded["optimizer"]
        except Exception as err:
            out["read_error"] = f"{type(err).__name__}: {err}"[:300]
    dist.barrier()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        mine.print_rank0("step 17: loss 1.23")
    out["printed"] = printed.getvalue()
    return out


def _check_sampler_ranks(rank, world, store, mine, ctx):
    n = ctx["n_samples"]
    sampler = mine.ShardedSampler(n, rank, world, shuffle=True, seed=5)
    mine_indices = [int(i) for i in sampler]
    gathered = [None] * world
    dist.all_gather_object(gathered, mine_indices)
    return {"shards": gathered, "len": len(sampler)}


def _check_stuck(rank, world, store, mine, ctx):
    """The last rank stops answering; the others must give up after the learner's timeout."""
    with _InitSpy() as spy:
        mine.setup_distributed(timeout_s=STUCK_TIMEOUT_S)
    out = {"init_calls": spy.calls}
    others = [f"stuck/gave-up/{r}" for r in range(world - 1)]
    if rank == world - 1:  # alive but silent, until the others have given up (or 4 s past the timeout)
        with contextlib.suppress(Exception):
            _STORE[0].wait(others, datetime.timedelta(seconds=STUCK_TIMEOUT_S + 4))
        out["stuck"] = True
    else:
        started = time.monotonic()
        try:
            t = torch.ones(1)
            dist.all_reduce(t)
            out["finished"] = True
        except Exception as err:
            out["gave_up_after_s"] = round(time.monotonic() - started, 2)
            out["error"] = f"{type(err).__name__}: {str(err)[:200]}"
        _STORE[0].set(others[rank], "yes")
    return out


CHECKS = {
    "setup": _check_setup, "broadcast": _check_broadcast, "average": _check_average,
    "replicas": _check_replicas, "ddp": _check_ddp, "checkpoint": _check_checkpoint,
    "sampler_ranks": _check_sampler_ranks, "stuck": _check_stuck,
}
# Checks that set up their own process group with the learner's setup_distributed.
OWN_GROUP = {"setup", "stuck"}
SCENARIOS = {
    "visible": {"checks": ["setup", "broadcast", "average", "replicas", "ddp", "checkpoint"], "n_samples": 8},
    "hidden": {"checks": ["setup", "broadcast", "average", "replicas", "ddp", "checkpoint", "sampler_ranks",
                          "stuck"], "n_samples": 10, "unused": True, "nproc_per_node": 2},
}


def _rank_main(answers_path: str, scenario: str, out_dir: str):
    def target(rank, world):
        import importlib.util

        ctx = dict(SCENARIOS[scenario], workdir=out_dir)
        results = {}
        path = Path(out_dir) / f"result{rank}.json"

        def save():
            path.write_text(json.dumps(results))

        try:
            spec = importlib.util.spec_from_file_location("answers", answers_path)
            mine = importlib.util.module_from_spec(spec)
            sys.modules["answers"] = mine
            spec.loader.exec_module(mine)
        except BaseException as err:
            results["import"] = _error(err)
            save()
            return
        for name in ctx["checks"]:
            started = time.monotonic()
            try:
                _STORE[0].set(f"{name}/{rank}", "here")  # the ranks start each check together
                _STORE[0].wait([f"{name}/{r}" for r in range(world)], datetime.timedelta(seconds=BETWEEN_CHECKS_S))
                if name in OWN_GROUP:
                    results[name] = CHECKS[name](rank, world, None, mine, ctx)
                else:
                    _harness_group(_STORE[0], name)
                    results[name] = CHECKS[name](rank, world, None, mine, ctx)
            except NotImplementedError as err:
                results[name] = {"not_implemented": str(err), **_error(err)}
            except BaseException as err:
                results[name] = _error(err)
            finally:
                _leave()
            results[name]["seconds"] = round(time.monotonic() - started, 2)
            save()
        save()
    return target


_STORE: list = [None]


def _run_scenario(answers_path: str, scenario: str, world_size: int, out_dir: str, timeout_s: float) -> dict:
    """Fork the ranks and run the checks; ``{rank: {"exit", "log", "checks"}}``."""
    settings = SCENARIOS[scenario]

    def target(rank, world):
        # the harness's own groups meet at a second store; the learner's setup uses MASTER_PORT
        _STORE[0] = dist.TCPStore("127.0.0.1", harness_port, world, rank == 0,
                                  timeout=datetime.timedelta(seconds=CHECK_TIMEOUT_S * 3))
        _rank_main(answers_path, scenario, out_dir)(rank, world)

    import torch._dynamo  # noqa: F401  (DistributedDataParallel imports it: once here, not in every rank)

    harness_port = free_port()
    ranks = launch_ranks(target, world_size, timeout_s=timeout_s, nproc_per_node=settings.get("nproc_per_node"),
                         log_dir=out_dir, grace_s=3.0)
    results = {}
    for rank, info in ranks.items():
        path = Path(out_dir) / f"result{rank}.json"
        results[rank] = {"exit": info["exit"], "log": info["log"][-3000:],
                         "checks": json.loads(path.read_text()) if path.exists() else {}}
    return results


def run_checks(answers: dict, world_size: int = 2, scenario: str = "visible", timeout_s: float = 40.0) -> dict:
    """Run a scenario's checks on the learner's answers in ``world_size`` real processes.

    The answers are written to a module (``answer_source``) that every rank imports; each check
    grades one component and uses the reference for the others. The ranks are forked from this
    process (torch is imported already: no second import per rank), with torchrun's environment.
    Results are cached per answer text, so the test cells of one notebook share a launch."""
    import tempfile

    source = answer_source(answers)
    key = (hashlib.sha256(source.encode()).hexdigest(), world_size, scenario)
    if key in _CACHE:
        return _CACHE[key]
    with tempfile.TemporaryDirectory(prefix="p18-") as tmp:
        answers_path = Path(tmp) / "answers.py"
        answers_path.write_text(source)
        sys.stdout.flush()
        sys.stderr.flush()
        results = _run_scenario(str(answers_path), scenario, world_size, tmp, timeout_s)
    _CACHE[key] = results
    return results


_CACHE: dict = {}


# --- in this process: a world of one --------------------------------------------------------------
class _ProbeDDP(nn.Module):
    """Stands in for DistributedDataParallel in a world of one (building a real one first imports
    torch._dynamo, seconds of the kernel's time): forward, ``no_sync`` and ``module``."""

    def __init__(self, module: nn.Module):
        super().__init__()
        self.module = module

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    @contextlib.contextmanager
    def no_sync(self):
        yield


@contextlib.contextmanager
def _world_of_one():
    saved = dict(os.environ)
    os.environ.update(torchrun_env(0, 1, free_port()))
    if os.path.exists("/sys/class/net/lo") and "GLOO_SOCKET_IFNAME" not in os.environ:
        os.environ["GLOO_SOCKET_IFNAME"] = "lo"
    try:
        yield
    finally:
        _leave()
        os.environ.clear()
        os.environ.update(saved)


def probe_answers(answers: dict) -> dict[str, str]:
    """Call every answer once in this process, in a process group of one rank: which ones are
    written (``"ran"``), still ``"NotImplementedError"``, or fail here already (the error).

    The ranks run the answers for the grade; this first call, in the notebook's own process, tells
    a blank answer apart without starting processes."""
    import tempfile

    if dist.is_initialized():  # the learner's own group, left open in the notebook: leave it alone
        return {}
    status = {}

    def attempt(name, call):
        obj = answers.get(name)
        if obj is None:
            status[name] = f"NameError: {name} is not defined"
            return
        try:
            call(obj)
            status[name] = "ran"
        except NotImplementedError:
            status[name] = "NotImplementedError"
        except Exception as err:
            status[name] = f"{type(err).__name__}: {err}"[:300]

    printed = io.StringIO()
    with _world_of_one(), contextlib.redirect_stdout(printed), tempfile.TemporaryDirectory() as tmp:
        with _InitSpy():  # a rank or world size other than the environment's would wait for ranks that never come
            attempt("setup_distributed", lambda f: f(timeout_s=10.0))
        attempt("cleanup_distributed", lambda f: f())
        _leave()
        dist.init_process_group("gloo", store=dist.HashStore(), rank=0, world_size=1,
                                timeout=datetime.timedelta(seconds=10))
        torch.manual_seed(0)
        model = nn.Sequential(nn.Embedding(5, 4), nn.Linear(4, 5))
        data = [(torch.tensor([[1, 2, 3]]), torch.tensor([[2, 3, 4]]))]
        model(data[0][0]).sum().backward()
        attempt("broadcast_parameters", lambda f: f(model))
        attempt("average_gradients", lambda f: f(model))
        attempt("ShardedSampler", lambda cls: list(cls(5, 0, 1)))
        attempt("train_step_ddp", lambda f: f(_ProbeDDP(model), data, _PlainSGD(model.parameters(), 0.1), _loss_fn))
        attempt("print_rank0", lambda f: f("probe"))
        attempt("save_checkpoint_rank0", lambda f: f(_ProbeDDP(model), _PlainSGD(model.parameters(), 0.1), 1,
                                               os.path.join(tmp, "probe.pt")))
    return status


# --- the assertions the test cells make -----------------------------------------------------------
# component -> the checks that grade it (visible scenario first)
GRADED_BY = {"setup_distributed": "setup", "cleanup_distributed": "setup", "broadcast_parameters": "broadcast",
             "average_gradients": "average", "train_step_ddp": "ddp", "save_checkpoint_rank0": "checkpoint",
             "print_rank0": "checkpoint", "ShardedSampler": "sampler_ranks"}


def _name_of(component, answers: dict) -> str:
    for name, obj in answers.items():
        if obj is component and obj is not None:
            return name
    return getattr(component, "__name__", str(component))


def ranks_results(answers: dict, world_size: int, scenario: str) -> dict:
    """The probe, then (once per answer text) the launch: ``{"probe": ..., "ranks": ...}``."""
    key = ("probe", answer_source(answers))
    if key not in _CACHE:
        _CACHE[key] = probe_answers(answers)
    probe = _CACHE[key]
    graded = [n for n in COMPONENTS if n != "ShardedSampler" or scenario == "hidden"]
    if probe and all(probe.get(n) == "NotImplementedError" for n in graded):
        return {"probe": probe, "ranks": None}
    return {"probe": probe, "ranks": run_checks(answers, world_size, scenario)}


def _rank_failure(name: str, check: str, ranks: dict) -> None:
    """Raise for a check some rank did not report or that raised."""
    for rank, info in ranks.items():
        if "import" in info["checks"]:
            raise AssertionError(
                f"rank {rank} could not import your answers: {info['checks']['import']['error']}. Every rank runs "
                "the text of your answer cells after the setup cell's imports: define what your functions need "
                "in the answer cells.")
    for rank, info in ranks.items():
        found = info["checks"].get(check)
        if found is None:
            how = "was stopped (it hung)" if info["exit"] is None else f"ended with exit code {info['exit']}"
            raise AssertionError(
                f"rank {rank} of {len(ranks)} {how} before reporting the {check!r} check of {name}. Its output ended "
                f"with:\n{_tail(info['log'], 8)}")
        if "not_implemented" in found:
            raise NotImplementedError(f"{name} raised NotImplementedError on rank {rank}")


def expect(answers: dict, component, check: str | None = None, world_size: int = 2, scenario: str = "visible") -> str:
    """Assert that the ranks' checks of ``component`` passed; return a one-line summary.

    Every failure raises ``AssertionError`` naming the rank and what it saw (or
    ``NotImplementedError`` for a blank answer)."""
    name = _name_of(component, answers)
    found = ranks_results(answers, world_size, scenario)
    if found["probe"].get(name) == "NotImplementedError":
        raise NotImplementedError(f"{name} raises NotImplementedError")
    ranks = found["ranks"]
    check = check or GRADED_BY[name]
    if check == "stuck" and any(check not in info["checks"] for info in ranks.values()):
        waiting = [r for r, info in ranks.items() if check not in info["checks"]]
        raise AssertionError(
            f"rank {world_size - 1} stopped answering, and ranks {waiting} were still waiting for it when the test "
            f"stopped them: setup_distributed(timeout_s={STUCK_TIMEOUT_S:g}) must pass timeout=datetime.timedelta("
            "seconds=timeout_s) to init_process_group, so that a collective gives up with an error instead of "
            "hanging (30 minutes by default).")
    _rank_failure(name, check, ranks)
    results = {rank: info["checks"][check] for rank, info in ranks.items()}
    return _JUDGES[check](name, results, world_size)


def _first_error(results):
    """(rank, its results) of the first rank that raised, or (None, None)."""
    for rank, r in results.items():
        if "error" in r:
            return rank, r
    return None, None


def _raise_first_error(results, call: str) -> None:
    """Fail with the error of the first rank where ``call`` (as the learner wrote it) raised."""
    rank, bad = _first_error(results)
    if bad is not None:
        raise AssertionError(f"rank {rank}: {call} raised {bad['error']}")


def _judge_setup(name, results, world):
    rank, bad = _first_error(results)
    for other, r in results.items():  # the rank that caused the others' wait explains it best
        if "claim the same rank" in r.get("error", ""):
            rank, bad = other, r
    if bad is not None:
        err = bad["error"]
        if "claim the same rank" in err:
            raise AssertionError(
                f"rank {rank}: {err}. RANK numbers the processes of all machines; LOCAL_RANK only those of one "
                "machine (on two machines both have a LOCAL_RANK 0). Pass rank=int(os.environ['RANK']).")
        if "KeyError" in bad["type"]:
            raise AssertionError(f"rank {rank}: setup_distributed raised {err}: torchrun sets RANK, WORLD_SIZE, "
                                 "LOCAL_RANK, MASTER_ADDR and MASTER_PORT; read those names.")
        raise AssertionError(f"rank {rank}: setup_distributed(timeout_s={SETUP_TIMEOUT_S:g}) raised {err}")
    for rank, r in results.items():
        env_local = rank % 2 if world > 2 else rank
        expected = [rank, world, env_local]
        if r.get("returned") != expected:
            hint = ""
            if isinstance(r.get("returned"), list) and len(r["returned"]) == 3 and r["returned"][0] == env_local != rank:
                hint = " It returned LOCAL_RANK as the rank: RANK is the global number."
            raise AssertionError(f"rank {rank} (RANK={rank}, WORLD_SIZE={world}, LOCAL_RANK={env_local}): "
                                 f"setup_distributed returned {r.get('returned')}, expected (rank, world_size, "
                                 f"local_rank) = {tuple(expected)}.{hint}")
        if not r["initialized"]:
            raise AssertionError(f"rank {rank}: after setup_distributed() no process group exists: call "
                                 "dist.init_process_group")
        if r.get("backend") != "gloo":
            raise AssertionError(f"rank {rank}: the backend is {r.get('backend')!r}; without GPUs it must be 'gloo' "
                                 "(NCCL needs CUDA). Choose 'nccl' only when torch.cuda.is_available().")
        if r.get("group_rank") != rank or r.get("group_size") != world or r.get("sum_of_ones") != world:
            raise AssertionError(f"rank {rank}: the group says rank {r.get('group_rank')} of {r.get('group_size')} "
                                 f"(all_reduce of ones gave {r.get('sum_of_ones')}), expected rank {rank} of {world}")
        calls = r.get("init_calls") or []
        if calls and calls[0]["timeout_s"] != SETUP_TIMEOUT_S:
            raise AssertionError(
                f"rank {rank}: setup_distributed(timeout_s={SETUP_TIMEOUT_S:g}) called init_process_group with timeout="
                f"{calls[0]['timeout_s']} s. Pass timeout=datetime.timedelta(seconds=timeout_s), so that a dead or "
                "stuck rank makes the others fail instead of waiting (30 minutes by default).")
        if r.get("cleanup_error"):
            raise AssertionError(f"rank {rank}: cleanup_distributed() raised {r['cleanup_error']}")
        if r.get("initialized_after_cleanup"):
            raise AssertionError(f"rank {rank}: after cleanup_distributed() the process group still exists: call "
                                 "dist.destroy_process_group(), or the ranks leak sockets and threads and a "
                                 "second init_process_group in the same process fails")
    return f"{world} ranks joined with the right rank, world size and local rank, gloo, timeout, and left"


def _judge_broadcast(name, results, world):
    _raise_first_error(results, "broadcast_parameters(model)")
    source = results[0]["own_params"]
    for rank, r in results.items():
        if not r["same_objects"]:
            raise AssertionError(f"rank {rank}: broadcast_parameters replaced the model's parameters by new tensors: "
                                 "broadcast into each existing tensor in place (the optimizer holds those).")
        if r["params"] != source:
            if rank and r["params"] == r["own_params"]:
                raise AssertionError(
                    f"rank {rank} still has its own initial weights after broadcast_parameters: nothing reached it. "
                    "Every rank must call dist.broadcast(tensor, src=0) on each parameter, in place.")
            if len({x["params"] for x in results.values()}) == 1:
                raise AssertionError("the ranks agree after broadcast_parameters, but not on rank 0's weights: "
                                     "broadcast from src=0 (the default argument src).")
            raise AssertionError(f"rank {rank}'s parameters differ from rank 0's after broadcast_parameters.")
    if len({r["buffers"] for r in results.values()}) != 1:
        raise AssertionError("after broadcast_parameters the parameters agree but the buffers (BatchNorm's "
                             "running_mean and running_var) differ between ranks: broadcast model.buffers() too.")
    return f"all {world} replicas equal rank 0's parameters and buffers"


def _judge_average(name, results, world):
    rank, bad = _first_error(results)
    if bad is not None:
        err = bad["error"]
        if "AVG" in err or "ReduceOp" in err:
            raise AssertionError(f"rank {rank}: average_gradients raised {err}. This backend has no "
                                 "ReduceOp.AVG: all_reduce with ReduceOp.SUM, then divide by the world size.")
        if "NoneType" in err:
            raise AssertionError(f"rank {rank}: average_gradients raised {err}. A frozen or unused parameter has "
                                 "grad None: skip it.")
        raise AssertionError(f"rank {rank}: average_gradients(model) raised {err}")
    for rank, r in results.items():
        if "shape_mismatch" in r:
            raise AssertionError(f"rank {rank}: after average_gradients the gradients have {r['shape_mismatch'][0]} "
                                 f"numbers, expected {r['shape_mismatch'][1]}")
        if r["max_diff"] > 1e-6:
            ratio = r["ratio"]
            if r["unchanged"]:
                why = "they are still this rank's own gradients: nothing was all-reduced."
            elif abs(ratio - world) < 1e-3 * world:
                why = f"they are {world}x too large: the all_reduce sums; divide by the world size."
            elif abs(ratio - 1 / world) < 1e-3:
                why = f"they are {world}x too small: divided by the world size twice?"
            elif abs(ratio - 1 / world ** 2) < 1e-4:
                why = f"they are {world * world}x too small: divided by the world size twice?"
            else:
                why = f"(the averaged gradient is {ratio:.3g} times the expected one, projected)."
            raise AssertionError(
                f"rank {rank}: after average_gradients the gradients differ from a single process's gradients on "
                f"all ranks' batches together by up to {r['max_diff']:.3g} (tolerance 1e-6): {why}")
    if len({r["grads"] for r in results.values()}) != 1:
        raise AssertionError("the ranks hold different gradients after average_gradients")
    return f"the gradients averaged over {world} ranks equal one process's on the union batch (<= 1e-6)"


def _judge_replicas(name, results, world):
    _raise_first_error(results, "training with average_gradients")
    digests = {rank: r["params"] for rank, r in results.items()}
    if len(set(digests.values())) != 1:
        differ = [r for r, d in digests.items() if d != digests[0]]
        raise AssertionError(f"after 3 steps with average_gradients rank {differ[0]}'s weights differ from rank "
                             "0's: every rank must end average_gradients with the same gradients (all_reduce "
                             "on every rank, the same division everywhere).")
    return f"the {world} replicas are bit-identical after 3 steps"


def _judge_ddp(name, results, world):
    _raise_first_error(results, "train_step_ddp")
    for rank, r in results.items():
        calls, expected = r["calls_per_step"], r["reference_calls_per_step"]
        if any(c == 0 for c in calls) and r["max_diff"] > 1e-5:
            raise AssertionError(
                f"rank {rank}: DDP never all-reduced the gradients in a step (all-reduces per step: {calls}): the "
                "last micro-batch's backward must run outside model.no_sync().")
        if any(c > expected for c in calls):
            raise AssertionError(
                f"rank {rank}: DDP all-reduced {max(calls)} times per step for 2 micro-batches, expected {expected}: "
                "run every backward except the last inside `with model.no_sync():`.")
        if r["moved"] == 0:
            raise AssertionError(f"rank {rank}: the weights did not change: call optimizer.step()")
        if r["max_diff"] > 1e-5:
            raise AssertionError(
                f"rank {rank}: after 3 steps of train_step_ddp (2 micro-batches each) the weights differ from the "
                f"hand-averaged reference by up to {r['max_diff']:.3g}. Divide each micro-batch's loss by the number "
                "of micro-batches, step once per call and zero the gradients after the step.")
        losses, expected_losses = r["losses"], r["reference_losses"]
        if not all(isinstance(a, float) and abs(a - b) < 1e-5 for a, b in zip(losses, expected_losses)):
            raise AssertionError(f"rank {rank}: train_step_ddp returned {losses}, expected the mean of the "
                                 f"micro-batches' losses {expected_losses}")
    return f"DDP with no_sync equals hand-averaged training on {world} ranks, one all-reduce per step"


def _judge_checkpoint(name, results, world):
    _raise_first_error(results, "save_checkpoint_rank0 / print_rank0")
    if name == "print_rank0":
        if not results[0]["printed"]:
            raise AssertionError("print_rank0 printed nothing on rank 0")
        for rank, r in results.items():
            if rank and r["printed"]:
                raise AssertionError(f"rank {rank} printed {r['printed']!r}: only rank 0 may print, else every line "
                                     f"appears {world} times")
        return "only rank 0 printed"
    writers = [rank for rank, r in results.items() if r["saves"]]
    if writers != [0]:
        if not writers or 0 not in writers:
            raise AssertionError(f"rank 0 did not write the checkpoint with torch.save (ranks that did: {writers})")
        raise AssertionError(f"ranks {writers} all wrote the checkpoint: only rank 0 may write it (the others would "
                             "write the same file at the same time).")
    for rank, r in results.items():
        if not r["exists"] or "read_error" in r:
            raise AssertionError(
                f"rank {rank} returned from save_checkpoint_rank0 before rank 0 had finished writing the file "
                f"({r.get('read_error', 'it did not exist yet')}): end save_checkpoint_rank0 with dist.barrier() on every "
                "rank.")
    r = results[0]
    if not isinstance(r.get("keys"), list) or not {"model", "optimizer", "step"} <= set(r["keys"]):
        raise AssertionError(f"the checkpoint should be a dict with 'model', 'optimizer' and 'step'; got {r.get('keys')}")
    if r.get("prefixed"):
        raise AssertionError("the checkpoint's model keys start with 'module.': save the plain model's state dict "
                             "(model.module.state_dict() for a DDP model), so a model without DDP can load it.")
    if r.get("load_error") or not r.get("same_weights"):
        raise AssertionError(f"the checkpoint's model state does not hold the model's weights "
                             f"({r.get('load_error', 'different values')})")
    if r.get("step") != "17" or not r.get("has_optimizer"):
        raise AssertionError(f"the checkpoint should hold step=17 and the optimizer's state_dict(); got step="
                             f"{r.get('step')}")
    return "only rank 0 wrote the checkpoint, and every rank found it complete on return"


def _judge_sampler_ranks(name, results, world):
    _raise_first_error(results, "ShardedSampler")
    shards = results[0]["shards"]
    n = 10
    lengths = [len(s) for s in shards]
    if len(set(lengths)) != 1:
        raise AssertionError(f"with {n} samples on {world} ranks the shards have {lengths} indices: every rank must "
                             "get the same number, or one rank runs an extra step nobody answers")
    union = [i for s in shards for i in s]
    if set(union) != set(range(n)):
        raise AssertionError(f"across {world} real ranks the shards {shards} miss {sorted(set(range(n)) - set(union))}")
    if len(union) - len(set(union)) > world - 1:
        raise AssertionError(f"across {world} real ranks the shards {shards} overlap by more than the padding")
    return f"{world} ranks drew disjoint shards covering all {n} samples"


def _judge_stuck(name, results, world):
    waiting = [r for r in range(world - 1)]
    for rank, r in results.items():
        if "claim the same rank" in r.get("error", ""):
            return _judge_setup(name, results, world)
    for rank in waiting:
        r = results[rank]
        if "error" in r and "gave_up_after_s" not in r:
            raise AssertionError(f"rank {rank}: setup_distributed(timeout_s={STUCK_TIMEOUT_S:g}) raised {r['error']}")
        if r.get("finished"):
            raise AssertionError(f"rank {rank}: an all_reduce finished although rank {world - 1} never joined it")
        if r.get("gave_up_after_s", 1e9) > STUCK_TIMEOUT_S + 3:
            raise AssertionError(f"rank {rank} gave up after {r.get('gave_up_after_s')} s, not after about "
                                 f"timeout_s={STUCK_TIMEOUT_S:g} s")
    return (f"with rank {world - 1} stuck, the others gave up after about {STUCK_TIMEOUT_S:g} s "
            "with an error instead of hanging")


def sampler_shards(sampler_class, dataset_size: int, world_size: int, epoch: int | None = None,
                   **kwargs) -> list[list[int]]:
    """Every rank's indices from ``sampler_class(dataset_size, rank, world_size, **kwargs)``, in this
    process (a sampler needs no process group: the rank is an argument)."""
    shards = []
    for rank in range(world_size):
        args = f"{sampler_class.__name__}({dataset_size}, rank={rank}, world_size={world_size}" + "".join(
            f", {k}={v!r}" for k, v in kwargs.items()) + ")"
        try:
            sampler = sampler_class(dataset_size, rank, world_size, **kwargs)
            if epoch is not None:
                sampler.set_epoch(epoch)
            indices = list(sampler)
            length = len(sampler)
        except NotImplementedError:
            raise
        except Exception as err:
            raise AssertionError(f"{args}{'' if epoch is None else f' after set_epoch({epoch})'} raised "
                                 f"{type(err).__name__}: {err}") from None
        bad = [i for i in indices if not isinstance(i, int) or isinstance(i, bool)]
        if bad:
            fixed = [int(i) for i in indices if hasattr(i, "__index__")]
            if len(fixed) != len(indices):
                raise AssertionError(f"{args} gave {bad[0]!r} ({type(bad[0]).__name__}): a sampler yields integer "
                                     "indices")
            indices = fixed
        if length != len(indices):
            raise AssertionError(f"{args}: len(sampler) is {length} but it yields {len(indices)} indices")
        shards.append(indices)
    return shards


def check_shards(shards: list[list[int]], dataset_size: int, drop_last: bool = False, what: str = "") -> None:
    """Assert that the shards are what a sampler must give: equal lengths, indices in range,
    disjoint, and covering the data (``drop_last=False``: every index, padded with repeats up to a
    multiple of the world size; ``drop_last=True``: all but fewer than ``world_size`` indices, no repeats)."""
    world, n = len(shards), dataset_size
    what = what or f"{n} samples on {world} ranks" + (" with drop_last=True" if drop_last else "")
    lengths = [len(s) for s in shards]
    want = n // world if drop_last else -(-n // world)
    flat = [i for s in shards for i in s]
    outside = sorted({i for i in flat if not 0 <= i < n})
    if outside:
        raise AssertionError(f"{what}: indices {outside[:5]} are outside 0..{n - 1}")
    missing = sorted(set(range(n)) - set(flat))
    if len(set(lengths)) != 1:
        hint = ""
        if not drop_last and sum(lengths) == n:
            hint = (" (the samples split as evenly as they go): pad, repeating the first indices, up to a multiple "
                    "of the world size")
        raise AssertionError(f"{what}: the ranks get {lengths} indices. Every rank must do the same number of "
                             f"steps, or the ranks with more wait forever in an all_reduce nobody else joins"
                             f"{hint}.")
    if lengths[0] != want:
        if not drop_last and missing and lengths[0] == n // world:
            raise AssertionError(
                f"{what}: each rank gets {lengths[0]} indices and {missing} are never used. Without drop_last "
                f"every sample must be used: {want} per rank (ceil({n}/{world})), padding with repeats.")
        raise AssertionError(f"{what}: each rank should get {want} indices "
                             f"({'floor' if drop_last else 'ceil'}({n}/{world})), got {lengths[0]}")
    for a in range(world):
        for b in range(a + 1, world):
            common = sorted(set(shards[a]) & set(shards[b]))
            if common and (drop_last or len(flat) - len(set(flat)) > world * want - n):
                raise AssertionError(
                    f"{what}: rank {a} and rank {b} share indices {common[:6]}"
                    f"{' and miss ' + str(missing[:6]) if missing else ''}. All ranks must cut the same order "
                    "(the same seed and epoch on every rank, not the rank) into disjoint parts.")
    if not drop_last and missing:
        raise AssertionError(f"{what}: indices {missing[:6]} are never used")
    if drop_last:
        if len(set(flat)) != len(flat):
            raise AssertionError(f"{what}: an index repeats; with drop_last=True nothing is padded")
        if n - len(flat) >= world:
            raise AssertionError(f"{what}: {n - len(flat)} samples are dropped, more than needed ({n % world})")


_JUDGES = {"setup": _judge_setup, "broadcast": _judge_broadcast, "average": _judge_average,
           "replicas": _judge_replicas, "ddp": _judge_ddp, "checkpoint": _judge_checkpoint,
           "sampler_ranks": _judge_sampler_ranks, "stuck": _judge_stuck}


