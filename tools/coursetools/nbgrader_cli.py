"""Running nbgrader the way it needs to be run, and reading its gradebook."""
from __future__ import annotations

import os
import subprocess
import sys
from collections import deque
from dataclasses import dataclass, field
from typing import Callable
from pathlib import Path

from . import notebooks


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
    command = [sys.executable, "-m", "nbgrader", *args]
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


@dataclass
class CellResult:
    grade_id: str
    score: float
    max_score: float
    message: str = ""  # the error the test raised, if any


@dataclass
class NotebookResult:
    student: str
    assignment: str
    score: float
    max_score: float
    cells: dict[str, CellResult] = field(default_factory=dict)
    needs_manual_grade: bool = False


def error_messages(nb) -> dict[str, str]:
    """``ename: evalue`` of the error raised by each graded cell of an executed notebook."""
    messages = {}
    for cell in nb.cells:
        meta = notebooks.nbgrader_meta(cell)
        if cell.cell_type != "code" or not meta.get("grade"):
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                messages[meta["grade_id"]] = f"{out['ename']}: {out['evalue']}"
            elif out.get("output_type") == "stream" and out.get("name") == "stderr":
                messages.setdefault(meta["grade_id"], "output on stderr: " + out["text"][:500])
    return messages


def read_results(course_dir: Path, assignment: str) -> dict[str, list[NotebookResult]]:
    """Scores per student from the gradebook, with the failing tests' messages."""
    from nbgrader.api import Gradebook

    results: dict[str, list[NotebookResult]] = {}
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        for submission in gb.assignment_submissions(assignment):
            student = submission.student.id
            for snb in submission.notebooks:
                executed = course_dir / "autograded" / student / assignment / f"{snb.name}.ipynb"
                messages = error_messages(notebooks.read(executed)) if executed.exists() else {}
                result = NotebookResult(student, assignment, snb.score, snb.max_score,
                                        needs_manual_grade=snb.needs_manual_grade)
                for grade in snb.grades:
                    result.cells[grade.name] = CellResult(
                        grade.name, grade.score, grade.max_score, messages.get(grade.name, ""))
                results.setdefault(student, []).append(result)
    return results
