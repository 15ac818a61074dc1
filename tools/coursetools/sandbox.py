"""Run each grading kernel in a sandbox with resource limits.

``SandboxedKernelManager`` is the kernel manager ``GuardedExecute`` uses. It starts the kernel as

    python -m coursetools.sandbox --memory-mb M --file-size-mb F -- bwrap <view> -- <kernel command>

- Resource limits (``setrlimit``, inherited by the kernel): a runaway allocation becomes a
  ``MemoryError`` (or PyTorch's "can't allocate memory") inside that notebook instead of a
  machine-wide out-of-memory; files the kernel writes are capped; no core dumps.
- bubblewrap (``bwrap``) gives the kernel no network, its own process tree, no capabilities, and a
  private view of the filesystem: everything read-only; the course directory, the repository,
  the exchange, ``$HOME`` and ``/tmp`` replaced by empty directories; only the Python installation,
  the ``gpt2`` package and the notebook's own working directory (writable) put back. So learner
  code cannot read ``source/``, the gradebook, hidden tests or other learners' work, and cannot
  change anything outside its working directory.
- The kernel talks to the grader over ZeroMQ's ``ipc`` transport (Unix sockets in a private
  directory bound into the sandbox), which needs no network.
- Loopback works inside (the kernel may start processes that talk over 127.0.0.1, as problem 18's
  ``torch.distributed`` ranks do). The sandbox's ``/etc/hosts`` (``sandbox_hosts``) names the
  loopback addresses, IPv6 ones included, and maps this machine's hostname to 127.0.0.1: there is
  no DNS inside, and PyTorch's rendezvous store looks up the name of each client's address (a
  failed lookup prints a warning to stderr, and gloo binds to the address the hostname resolves to).
"""
from __future__ import annotations

import functools
import importlib.util
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Enum, Integer, List, Unicode

from .course import REPO_ROOT  # the repository, holding source/ and the catalogue

MB = 1 << 20


class SandboxUnavailable(RuntimeError):
    pass


@functools.lru_cache(maxsize=None)
def kernel_python_paths(executable: str) -> tuple[str, ...]:
    """Directories the kernel's Python needs to read: its installation and import path."""
    probe = ("import json, sys; print(json.dumps([sys.prefix, sys.base_prefix, sys.exec_prefix, "
             "sys.base_exec_prefix, *sys.path]))")
    listed = json.loads(subprocess.run([executable, "-c", probe], capture_output=True, text=True,
                                       check=True).stdout)
    paths = {os.path.realpath(executable), os.path.dirname(executable)}
    paths.update(p for p in listed if p)
    spec = importlib.util.find_spec("gpt2")  # an editable install is found through a hook, not sys.path
    if spec and spec.submodule_search_locations:
        paths.update(spec.submodule_search_locations)
    return tuple(sorted(p for p in paths if os.path.exists(p)))


def sandbox_hosts() -> str:
    """The sandbox's ``/etc/hosts``: loopback names first (IPv4, IPv6 and IPv4-mapped IPv6), this
    machine's hostname on 127.0.0.1, then the machine's own file."""
    try:
        own = Path("/etc/hosts").read_text()
    except OSError:
        own = ""
    return ("# written by coursetools.sandbox: inside the sandbox only loopback exists\n"
            f"127.0.0.1 localhost {socket.gethostname()}\n::1 localhost ip6-localhost ip6-loopback\n"
            f"::ffff:127.0.0.1 localhost\n{own}")


def bwrap_command(command: list[str], *, cwd: str, writable: list[str], hidden: list[str],
                  readable: list[str], blanked: list[str] = (), empty_file: str = "",
                  hosts_file: str = "") -> list[str]:
    """``bwrap`` arguments that run ``command`` in the private view described in the module doc.

    ``hidden`` paths become empty read-only directories, except for the ``readable`` paths under
    them (put back read-only) and the ``writable`` ones (put back read-write). ``blanked`` files
    read as ``empty_file``; ``hosts_file`` replaces ``/etc/hosts``.
    """
    args = ["bwrap", "--die-with-parent", "--unshare-net", "--unshare-pid", "--unshare-ipc",
            "--unshare-uts", "--unshare-cgroup-try", "--cap-drop", "ALL",
            "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    scratch = sorted({os.path.realpath(p) for p in ("/tmp", os.path.expanduser("~"))})
    masked = sorted({os.path.realpath(p) for p in hidden if os.path.isdir(p)} - set(scratch), key=len)
    for path in scratch + masked:
        args += ["--tmpfs", path]
    for path in sorted({os.path.realpath(p) for p in readable}, key=len):
        if any(path.startswith(m.rstrip("/") + "/") or path == m for m in scratch + masked):
            args += ["--ro-bind", path, path]
    for path in sorted({os.path.realpath(p) for p in writable}, key=len):
        args += ["--bind", path, path]
    for path in blanked:
        args += ["--ro-bind", empty_file, os.path.realpath(path)]
    if hosts_file and os.path.exists("/etc/hosts"):
        args += ["--ro-bind", hosts_file, os.path.realpath("/etc/hosts")]
    for path in masked:  # the empty stand-ins stay read-only; /tmp and $HOME are private scratch
        args += ["--remount-ro", path]
    # ipykernel exits when its parent pid is gone, and the grader's pid does not exist in the new
    # pid namespace; with 1 it watches no parent (and prints no console banner), while
    # --die-with-parent ends the kernel with the grader.
    return args + ["--setenv", "JPY_PARENT_PID", "1", "--chdir", os.path.realpath(cwd), "--", *command]


def limits_command(command: list[str], memory_mb: int, file_size_mb: int) -> list[str]:
    return [sys.executable, "-m", "coursetools.sandbox", "--memory-mb", str(memory_mb),
            "--file-size-mb", str(file_size_mb), "--", *command]


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager that starts its kernel inside ``bwrap`` with resource limits."""

    mode = Enum(["required", "auto", "off"], "required", config=True, help=(
        "required: grade only inside the bubblewrap sandbox (fail if bwrap is missing); "
        "auto: use it when bwrap is installed (for learners' self-checks); off: limits only."))
    memory_limit_mb = Integer(4096, config=True, help="Address-space limit of each kernel, in MiB.")
    file_size_limit_mb = Integer(512, config=True, help="Largest file a kernel may write, in MiB.")
    hidden_paths = List(Unicode(), config=True, help=(
        "More directories the kernel must not see (the course directory, the repository, "
        "$HOME, /tmp and the nbgrader exchange are always hidden)."))
    readable_paths = List(Unicode(), config=True, help=(
        "Directories the kernel may read, read-only, though they lie in a hidden one (the shared "
        "test checkpoints in the user's cache: coursetools.gradingrun.prepare_shared_checkpoints)."))

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._ipc_dir = None
        if self._use_sandbox():
            # A SIGINT to the kernel's process group would also reach bwrap, which dies of it;
            # an interrupt message reaches only the kernel, which then interrupts itself.
            self.kernel_spec.interrupt_mode = "message"
            self._ipc_dir = tempfile.mkdtemp(prefix="kernel-", dir="/tmp")
            self.transport = "ipc"  # Unix sockets: reachable without a network
            self.connection_file = os.path.join(self._ipc_dir, "connection.json")
            self.ip = os.path.join(self._ipc_dir, "ipc")
            self._empty_file = os.path.join(self._ipc_dir, "empty")
            open(self._empty_file, "w").close()
            self._hosts_file = os.path.join(self._ipc_dir, "hosts")
            Path(self._hosts_file).write_text(sandbox_hosts())

    def _use_sandbox(self) -> bool:
        if self.mode == "off":
            return False
        if shutil.which("bwrap"):
            return True
        if self.mode == "required":
            raise SandboxUnavailable(
                "bubblewrap (bwrap) is not installed, and grading runs learner code only inside it. "
                "Install it (Debian/Ubuntu: apt-get install bubblewrap), or set "
                "c.SandboxedKernelManager.mode = 'auto' to grade without the sandbox.")
        self.log.warning("bwrap not found: grading without the sandbox (resource limits only)")
        return False

    def exchange_roots(self) -> list[str]:
        """The nbgrader exchange this course is configured with, and nbgrader's default one (which
        other courses on the machine may use)."""
        from nbgrader.exchange.default.exchange import Exchange

        return [Exchange(config=self.config).root, Exchange().root]

    def hidden_directories(self) -> list[str]:
        return [os.getcwd(), str(REPO_ROOT), *self.exchange_roots(), *self.hidden_paths]

    def format_kernel_cmd(self, extra_arguments=None):
        command = super().format_kernel_cmd(extra_arguments)
        if self._ipc_dir is not None:
            cwd = self._launch_args.get("cwd") or os.getcwd()
            # nbgrader writes the notebook it grades, hidden tests restored, into the kernel's
            # working directory before running it: the kernel must not read it.
            command = bwrap_command(command, cwd=cwd, writable=[cwd, self._ipc_dir],
                                    hidden=self.hidden_directories(),
                                    readable=[*kernel_python_paths(command[0]), *self.readable_paths],
                                    blanked=sorted(map(str, Path(cwd).glob("*.ipynb"))),
                                    empty_file=self._empty_file, hosts_file=self._hosts_file)
        return limits_command(command, self.memory_limit_mb, self.file_size_limit_mb)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if self._ipc_dir is not None and not restart:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    """``python -m coursetools.sandbox --memory-mb M --file-size-mb F -- command...``:
    set the limits, then become ``command``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    split = argv.index("--")
    options, command = dict(zip(argv[:split:2], argv[1:split:2])), argv[split + 1:]
    memory = int(options["--memory-mb"]) * MB
    file_size = int(options["--file-size-mb"]) * MB
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
