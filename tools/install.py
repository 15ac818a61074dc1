"""Install learn-gpt2 into a virtual environment, step by step, on any ordinary machine.

    python3 tools/install.py .venv          (what `make setup` runs; standard library only)

1. checks for Python 3.10+ and its venv module (missing by default on Debian/Ubuntu);
2. creates the virtual environment and upgrades pip;
3. installs PyTorch: on Linux without an NVIDIA GPU from PyTorch's own CPU wheel index (the
   default index would pull several GB of CUDA wheels), or from the default index when that one
   cannot be reached (a machine whose pip is set up with its own wheels); elsewhere (macOS, a
   machine with a GPU) from the default index;
4. installs the course (`gpt2`, `coursetools`, nbgrader, JupyterLab) and the test tools.

Each step prints what it does and how long it took; pip's own progress is shown.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

TORCH = "torch==2.13.0"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
REPO = Path(__file__).resolve().parents[1]


def fail(message: str) -> None:
    print(f"\nlearn-gpt2 install: {message}", file=sys.stderr)
    raise SystemExit(1)


def check_python() -> None:
    if sys.version_info < (3, 10):
        fail(f"needs Python 3.10 or newer; {sys.executable} is {sys.version.split()[0]}. Install a "
             "newer Python and run `make setup PYTHON=python3.11` (or whichever you installed).")
    try:
        import ensurepip  # noqa: F401
        import venv  # noqa: F401
    except ImportError:
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        fail(f"Python's venv module is missing. On Debian/Ubuntu: `sudo apt install python{version}-venv`, "
             "then run make again.")


def has_nvidia_gpu() -> bool:
    return shutil.which("nvidia-smi") is not None or Path("/proc/driver/nvidia").exists()


def reachable(url: str, timeout: float = 5.0) -> bool:
    """A quick look before pip spends minutes on retries against an index it cannot reach."""
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout):
            return True
    except Exception:  # noqa: BLE001 (offline, firewalled, proxied: all mean "use the other index")
        return False


def torch_sources() -> list[list[str]]:
    """pip arguments to try in turn for PyTorch."""
    if sys.platform.startswith("linux") and not has_nvidia_gpu() and reachable(f"{CPU_INDEX}/torch/"):
        return [["--index-url", CPU_INDEX, TORCH], [TORCH]]
    return [[TORCH]]


def step(number: int, title: str, *commands: list[str]) -> None:
    """Run the first command that succeeds; fail with the last error if none does."""
    print(f"\n[{number}/4] {title}", flush=True)
    started = time.monotonic()
    for i, command in enumerate(commands):
        if subprocess.call(command, cwd=REPO) == 0:
            print(f"[{number}/4] done in {time.monotonic() - started:.0f} s", flush=True)
            return
        if i + 1 < len(commands):
            print(f"[{number}/4] that did not work; trying the next source", flush=True)
    fail(f"step {number} ({title}) failed; pip's message is above.")


def main(venv: str = ".venv") -> None:
    check_python()
    started = time.monotonic()
    python = str(Path(venv).resolve() / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))
    step(1, f"virtual environment in {venv}/", [sys.executable, "-m", "venv", venv])
    pip = [python, "-m", "pip", "install", "--progress-bar", "on"]
    step(2, "pip, up to date", [*pip, "--upgrade", "pip"])
    sources = torch_sources()
    where = "PyTorch's CPU wheel index" if len(sources) > 1 else "the default index"
    step(3, f"PyTorch ({TORCH}, from {where})", *[[*pip, *args] for args in sources])
    step(4, "the course: gpt2, coursetools, nbgrader, JupyterLab, test tools", [*pip, "-e", ".[course,test]"])
    print(f"\nlearn-gpt2 installed in {time.monotonic() - started:.0f} s.", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
