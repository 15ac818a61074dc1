"""The grading kernel's sandbox, checked directly on a kernel (no nbgrader in between)."""
from __future__ import annotations

import asyncio
import json
import os
import socket

import pytest

from coursetools.course import REPO_ROOT, Course
from coursetools.sandbox import SandboxedKernelManager, SandboxUnavailable


def run_in_sandbox(course, code: str, **traits) -> dict:
    """Start a sandboxed kernel the way grading does (in course/autograded/me/A, from the course
    directory), run ``code``, and return the JSON it prints last."""
    cwd = Course(course).autograded("me", "A").parent
    cwd.mkdir(parents=True, exist_ok=True)

    async def go():
        km = SandboxedKernelManager(kernel_name="python3", **traits)
        await km.start_kernel(cwd=str(cwd))
        kc = km.client()
        kc.start_channels()
        printed = []
        try:
            await kc.wait_for_ready(timeout=60)
            await kc.execute_interactive(code, timeout=60, output_hook=lambda msg: printed.append(
                msg["content"].get("text", "")) if msg["msg_type"] == "stream" else None)
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)
        return json.loads("".join(printed).strip().splitlines()[-1])

    old = os.getcwd()
    os.chdir(course)  # nbgrader runs in the course directory, which the sandbox hides
    try:
        return asyncio.run(go())
    finally:
        os.chdir(old)


# Kernel code: whether a file can be created at ``path``.
CAN_WRITE = '''import json, os
def can_write(path):
    try:
        open(path, "w").close()
        return True
    except OSError:
        return False
'''


@pytest.fixture
def course(tmp_path):
    (tmp_path / "gradebook.db").write_text("grades")
    Course(tmp_path).submit("someone", "A", "{}")
    return tmp_path


@pytest.mark.slow
def test_kernel_sees_only_its_own_directory(course):
    seen = run_in_sandbox(course, CAN_WRITE + f"""
print(json.dumps({{
    "course": sorted(os.listdir("../../..")),
    "repo_source": os.path.exists({str(REPO_ROOT / "source")!r}),
    "gradebook": os.path.exists("../../../gradebook.db"),
    "own_dir_writable": can_write("scratch.txt"),
    "course_writable": can_write("../../../new.txt"),
    "repo_writable": can_write({str(REPO_ROOT / "new.txt")!r}),
    "gpt2_importable": __import__("gpt2").__name__ == "gpt2",
}}))
""")
    assert seen == {"course": ["autograded"], "repo_source": False, "gradebook": False,
                    "own_dir_writable": True, "course_writable": False, "repo_writable": False,
                    "gpt2_importable": True}
    assert Course(course).autograded("me", "A").with_name("scratch.txt").exists()
    assert not (course / "new.txt").exists() and not (REPO_ROOT / "new.txt").exists()


@pytest.mark.slow
def test_kernel_has_no_network(course, loopback_port):
    seen = run_in_sandbox(course, f"""
import json, socket
def reach(host, port):
    try:
        socket.create_connection((host, port), timeout=3).close()
        return True
    except OSError:
        return False
print(json.dumps({{"loopback_server": reach("127.0.0.1", {loopback_port}), "internet": reach("1.1.1.1", 53)}}))
""")
    assert seen == {"loopback_server": False, "internet": False}
    socket.create_connection(("127.0.0.1", loopback_port), timeout=3).close()  # it was there all along


@pytest.mark.slow
def test_memory_limit_raises_memory_error_and_the_kernel_lives_on(course):
    seen = run_in_sandbox(course, """
import json
try:
    hog = bytearray(8 * 2**30)
    outcome = "allocated"
except MemoryError:
    outcome = "MemoryError"
print(json.dumps({"outcome": outcome, "after": sum(range(10))}))
""", memory_limit_mb=2048)
    assert seen == {"outcome": "MemoryError", "after": 45}


def test_required_sandbox_without_bwrap_fails_with_a_clear_message(monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(SandboxUnavailable, match="apt-get install bubblewrap"):
        SandboxedKernelManager(kernel_name="python3", mode="required")
    assert SandboxedKernelManager(kernel_name="python3", mode="auto").transport == "tcp"


@pytest.mark.slow
def test_torch_distributed_ranks_talk_over_loopback_inside(course):
    """Problem 18 starts torchrun from the kernel: its ranks meet on 127.0.0.1 inside the sandbox (within
    the memory limit of each process), and a process group in the kernel itself prints nothing to
    stderr (no DNS inside: the sandbox's /etc/hosts names the loopback addresses); the grading harness's
    ranks, forked from the kernel, grade the reference."""
    seen = run_in_sandbox(course, """
import datetime, json, os, tempfile
import torch.distributed as dist
from gpt2.distributed import free_port, run_torchrun
with open("ranks.py", "w") as f:
    f.write("import torch, torch.distributed as dist\\n"
            "dist.init_process_group('gloo')\\n"
            "t = torch.ones(1) * (dist.get_rank() + 1)\\n"
            "dist.all_reduce(t)\\n"
            "print(f'sum {t.item()}')  # one write: with PYTHONUNBUFFERED, print('sum', x) writes 'sum', ' ', x apart and two ranks interleave them\\n"
            "dist.destroy_process_group()\\n")
out = run_torchrun("ranks.py", 2, timeout_s=120)
captured, saved = tempfile.TemporaryFile(), os.dup(2)
os.dup2(captured.fileno(), 2)
try:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(free_port()), RANK="0", WORLD_SIZE="1")
    dist.init_process_group("gloo", timeout=datetime.timedelta(seconds=20))
    dist.barrier()
    dist.destroy_process_group()
    from gpt2 import distributed as D  # the grading harness forks its ranks from the kernel
    answers = {name: getattr(D, name) for name in D.COMPONENTS}
    graded = D.expect(answers, D.average_gradients)
finally:
    os.dup2(saved, 2)
captured.seek(0)
print(json.dumps({"sums": out.count("sum 3.0"), "stderr": captured.read().decode(), "graded": graded}))
""")
    assert seen == {"sums": 2, "stderr": "", "graded": "the gradients averaged over 2 ranks equal one process's on "
                                                       "the union batch (<= 1e-6)"}


def test_the_sandbox_hosts_file_names_loopback_first():
    from coursetools.sandbox import sandbox_hosts

    lines = sandbox_hosts().splitlines()
    assert lines[1].split()[:2] == ["127.0.0.1", "localhost"] and socket.gethostname() in lines[1].split()
    assert "::1 localhost" in lines[2] and lines[3] == "::ffff:127.0.0.1 localhost"


@pytest.mark.slow
def test_shared_checkpoints_are_readable_and_read_only_inside(course, tmp_path):
    """A directory named in readable_paths (how GuardedExecute passes the shared test checkpoints)
    is shown read-only though it lies in a hidden one (/tmp here, $HOME in use); its neighbours stay hidden."""
    shared, neighbour = tmp_path / "cache" / "gpt2-random", tmp_path / "cache" / "other"
    shared.mkdir(parents=True)
    neighbour.mkdir()
    (shared / "config.json").write_text('{"n_layer": 12}')
    seen = run_in_sandbox(course, CAN_WRITE + f"""
print(json.dumps({{"read": open({str(shared / "config.json")!r}).read(),
                   "writable": can_write({str(shared / "new")!r}),
                   "neighbour": os.path.exists({str(neighbour)!r})}}))
""", readable_paths=[str(shared)])
    assert seen == {"read": '{"n_layer": 12}', "writable": False, "neighbour": False}
    assert not (shared / "new").exists()


def test_only_the_course_s_locked_cells_ask_for_shared_checkpoints(monkeypatch):
    import nbformat

    from coursetools import gradingrun

    asked = []
    monkeypatch.setattr(gradingrun, "_shared_checkpoint_dir", lambda name: asked.append(name) or f"/cache/{name}")
    locked = {"nbgrader": {"grade": True, "locked": True, "grade_id": "t", "points": 1, "solution": False}}
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell('full = shared_checkpoint("gpt2")', metadata=locked),
        nbformat.v4.new_code_cell("shared_checkpoint('learner-asks')"),  # an answer cell: not the course's
    ])
    assert gradingrun.prepare_shared_checkpoints(nb) == ["/cache/gpt2"] and asked == ["gpt2"]
