"""gpt2.distributed: data-parallel training on torch.distributed (problem 18).

The slow tests start real processes that talk over 127.0.0.1 with gloo (2 ranks, forked the way
``launch_ranks`` starts them, with torchrun's environment variables).

Uneven data: ``ShardedSampler`` pads like ``torch.utils.data.DistributedSampler`` (the order is
extended with its first indices up to a multiple of the world size, so every rank gets
ceil(n / world) indices and a few samples are seen twice), or with ``drop_last=True`` drops the
last n % world indices of the order (floor(n / world) each, no repeats).
"""
from __future__ import annotations

import json
import linecache
import math
import os
import time
from pathlib import Path

import pytest
import torch
import torch.distributed as dist
from torch.utils.data import DistributedSampler

import gpt2
from gpt2 import distributed as D


@pytest.mark.parametrize("n,world", [(12, 2), (10, 3), (2, 3), (13, 4), (1, 2)])
@pytest.mark.parametrize("drop_last", [False, True])
def test_shards_are_disjoint_cover_the_data_and_have_equal_lengths(n, world, drop_last):
    shards = D.sampler_shards(D.ShardedSampler, n, world, shuffle=True, seed=3, drop_last=drop_last)
    D.check_shards(shards, n, drop_last)
    lengths = {len(s) for s in shards}
    assert lengths == {n // world if drop_last else math.ceil(n / world)}
    flat = [i for s in shards for i in s]
    if drop_last:  # no repeats, fewer than `world` samples dropped
        assert len(set(flat)) == len(flat) and n - len(flat) < world
    else:  # everything used, padded with (total - n) repeats
        assert set(flat) == set(range(n)) and len(flat) - n == world * math.ceil(n / world) - n


@pytest.mark.parametrize("n,world,epoch", [(10, 3, 0), (10, 3, 2), (7, 2, 1), (16, 4, 5), (2, 3, 0)])
@pytest.mark.parametrize("drop_last", [False, True])
def test_the_sampler_gives_what_distributed_sampler_gives(n, world, epoch, drop_last):
    for rank in range(world):
        ours = D.ShardedSampler(n, rank, world, shuffle=True, seed=7, drop_last=drop_last)
        theirs = DistributedSampler(range(n), num_replicas=world, rank=rank, shuffle=True, seed=7, drop_last=drop_last)
        ours.set_epoch(epoch)
        theirs.set_epoch(epoch)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)


def test_check_shards_names_the_mistake():
    blocks = [list(range(r * 3, r * 3 + 3)) for r in range(3)]  # 10 samples, contiguous blocks, remainder lost
    with pytest.raises(AssertionError, match=r"\[9\] are never used"):
        D.check_shards(blocks, 10)
    with pytest.raises(AssertionError, match="the ranks get \\[4, 3, 3\\]"):
        D.check_shards([[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]], 10)
    with pytest.raises(AssertionError, match="share indices"):
        D.check_shards([[0, 1, 2], [2, 3, 4]], 6)


def test_memory_per_rank_for_gpt2_xl():
    n = gpt2.count_parameters(gpt2.GPT2Config.gpt2_xl())
    assert D.training_memory_bytes(n, 8, "DDP") == 16 * n
    assert D.training_memory_bytes(n, 8, "ZeRO-1") == 8 * n + 8 * n / 8
    assert D.training_memory_bytes(n, 8, "ZeRO-2") == 4 * n + 12 * n / 8
    assert D.training_memory_bytes(n, 8, "FSDP / ZeRO-3") == 2 * n


def test_torchrun_commands_for_one_and_for_several_machines():
    one = D.torchrun_command("train.py", 2, "--steps", "3")
    assert one[1:3] == ["-m", "torch.distributed.run"] and "--nproc_per_node=2" in one and "--master_addr=127.0.0.1" in one
    assert one[-3:] == ["train.py", "--steps", "3"]
    many = D.torchrun_command("train.py", 8, nnodes=2, rdzv_endpoint="node0:29500")
    assert "--nnodes=2" in many and "--rdzv-endpoint=node0:29500" in many and "--rdzv-backend=c10d" in many
    assert not any(a.startswith("--master") for a in many)


def test_answer_source_takes_cells_from_linecache_through_decorators():
    cell = "@torch.no_grad()\ndef average_gradients(model):\n    return 'mine'\n"
    name = "<ipython-input-test-18>"
    linecache.cache[name] = (len(cell), None, cell.splitlines(True), name)
    namespace = {"torch": torch}
    exec(compile(cell, name, "exec"), namespace)
    source = D.answer_source({"average_gradients": namespace["average_gradients"],
                              "broadcast_parameters": D.broadcast_parameters})
    assert source.startswith(D.ANSWER_HEADER) and cell in source
    assert "from gpt2.distributed import broadcast_parameters as broadcast_parameters" in source


def _grads(model):
    return torch.cat([p.grad.flatten() for p in model.parameters() if p.grad is not None])


def _two_ranks_target(out_dir):
    def target(rank, world):
        results = {}
        rank_, world_, local = D.setup_distributed(backend="gloo", timeout_s=20)
        results["env"] = [rank_, world_, local, dist.get_backend()]
        # identical replicas: different random starts, then the broadcast
        model = D._tiny_model(seed=10 + rank)
        results["before"] = D._digest(model.parameters())
        D.broadcast_parameters(model)
        results["after"] = D._digest(model.parameters())
        # hand-averaged gradients = one process's on the union of the ranks' batches
        data = D._data(8)
        shards = [list(D.ShardedSampler(8, r, world, seed=0)) for r in range(world)]
        D._lm_loss(model, data[shards[rank]]).backward()
        D.average_gradients(model)
        torch.manual_seed(0)
        single = D._tiny_model(seed=10)
        D._lm_loss(single, torch.cat([data[s] for s in shards])).backward()
        results["grad_diff"] = (_grads(model) - _grads(single)).abs().max().item()
        # several steps: bit-identical replicas
        optimizer = D._PlainSGD(model.parameters(), lr=0.5)
        for step in range(4):
            optimizer.step()
            optimizer.zero_grad()
            rows = D._data(8, seed=step + 20)[shards[rank]]
            D._lm_loss(model, rows).backward()
            D.average_gradients(model)
        results["replica"] = D._digest(model.parameters())
        # the hand-written loop equals DDP with no_sync accumulation
        ctx = {"n_samples": 8}
        ddp_model, calls, _ = D._ddp_run(D.train_step_ddp, rank, world, ctx)
        manual, _ = D._manual_run(rank, world, ctx)
        results["ddp_diff"] = (D._flat(ddp_model.parameters()) - D._flat(manual.parameters())).abs().max().item()
        results["ddp_calls"] = calls
        # only rank 0 writes the checkpoint
        saves, real_save = [], torch.save
        torch.save = lambda obj, f, *a, **k: (saves.append(str(f)), real_save(obj, f, *a, **k))
        try:
            D.save_checkpoint_rank0(torch.nn.parallel.DistributedDataParallel(model), optimizer, 4,
                              os.path.join(out_dir, "checkpoint.pt"))
        finally:
            torch.save = real_save
        results["saves"] = saves
        results["checkpoint_keys"] = sorted(torch.load(os.path.join(out_dir, "checkpoint.pt"))["model"])[:2]
        D.cleanup_distributed()
        results["left"] = not dist.is_initialized()
        Path(out_dir, f"rank{rank}.json").write_text(json.dumps(results))
    return target


@pytest.mark.slow
def test_two_ranks_on_loopback(tmp_path):
    ranks = D.launch_ranks(_two_ranks_target(str(tmp_path)), 2, timeout_s=60)
    assert all(info["exit"] == 0 for info in ranks.values()), {r: info["log"][-800:] for r, info in ranks.items()}
    r0, r1 = (json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1))
    assert r0["env"] == [0, 2, 0, "gloo"] and r1["env"] == [1, 2, 1, "gloo"]
    assert r0["before"] != r1["before"] and r0["after"] == r1["after"] == r0["before"]
    assert r0["grad_diff"] <= 1e-6 and r1["grad_diff"] <= 1e-6
    assert r0["replica"] == r1["replica"]  # bit-identical after 4 steps
    assert r0["ddp_diff"] <= 1e-6 and r1["ddp_diff"] <= 1e-6 and r0["ddp_calls"] == [1, 1, 1]
    assert r0["saves"] == [str(tmp_path / "checkpoint.pt")] and r1["saves"] == []
    assert not any(k.startswith("module.") for k in r0["checkpoint_keys"])
    assert r0["left"] and r1["left"]


def _one_rank_fails(rank, world):
    dist.init_process_group("gloo", timeout=__import__("datetime").timedelta(seconds=60))
    if rank == 1:
        raise RuntimeError("rank 1 breaks down")
    dist.all_reduce(torch.ones(1))  # rank 0 waits here for a rank that is gone


@pytest.mark.slow
def test_a_failing_rank_ends_the_run_with_its_error_and_no_hang():
    started = time.monotonic()
    ranks = D.launch_ranks(_one_rank_fails, 2, timeout_s=30, grace_s=1.0)
    assert time.monotonic() - started < 15
    assert ranks[1]["exit"] == 1 and "rank 1 breaks down" in ranks[1]["log"]
    assert ranks[0]["exit"] != 0  # stopped by the launcher, or failed when its peer went away


@pytest.mark.slow
def test_the_grading_harness_gives_the_reference_full_marks():
    answers = {name: getattr(D, name) for name in D.COMPONENTS}
    assert set(D.probe_answers(answers).values()) == {"ran"}
    for name in D.COMPONENTS:
        if name != "ShardedSampler":
            assert D.expect(answers, answers[name])
    assert D.expect(answers, D.average_gradients, "replicas")
