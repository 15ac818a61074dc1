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


@pytest.fixture
def course(tmp_path):
    (tmp_path / "gradebook.db").write_text("grades")
    Course(tmp_path).submit("someone", "A", "{}")
    return tmp_path


@pytest.mark.slow
def test_kernel_sees_only_its_own_directory(course):
    seen = run_in_sandbox(course, f"""
import json, os
def can_write(path):
    try:
        open(path, "w").close()
        return True
    except OSError:
        return False
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
