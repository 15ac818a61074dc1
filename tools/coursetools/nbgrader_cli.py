"""Running nbgrader the way it needs to be run."""
from __future__ import annotations

import os
import subprocess
import sys
from collections import deque
from typing import Callable
from pathlib import Path


def nbgrader(*args: str, cwd: Path, check: bool = True, quiet: bool = False,
             on_line: Callable[[str], None] | None = None) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in the course directory ``cwd``.

    nbgrader starts ``alembic`` and the ``python3`` kernel from PATH, so the interpreter's own
    bin directory goes first: grading then uses this environment, whichever shell started it.
    With ``on_line``, each line nbgrader logs is passed to it as it comes (and not printed).
    """
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.setdefault("PYTHONUNBUFFERED", "1")
    command = [sys.executable, "-m", "coursetools.nbgrader_cli", *args]  # nbgrader, after coursetools/__init__
    if on_line is None:
        result = subprocess.run(command, cwd=cwd, env=env, text=True, capture_output=quiet)
    else:
        tail: deque[str] = deque(maxlen=200)
        with subprocess.Popen(command, cwd=cwd, env=env, text=True, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT) as process:
            for line in process.stdout:
                tail.append(line)
                on_line(line.rstrip("\n"))
        result = subprocess.CompletedProcess(command, process.returncode, "".join(tail), "".join(tail))
    if check and result.returncode != 0:
        detail = (result.stderr or "")[-4000:] if quiet or on_line else ""
        raise RuntimeError(f"nbgrader {' '.join(args)} failed with exit code {result.returncode}\n{detail}")
    return result


if __name__ == "__main__":  # ``python -m coursetools.nbgrader_cli ARGS`` is ``nbgrader ARGS``
    from nbgrader.apps.nbgraderapp import main

    sys.argv[0] = "nbgrader"
    main()
