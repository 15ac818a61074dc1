"""A self-paced learner grades their own notebook as the instructor would, hidden tests included:
in a terminal (`make grade NB=...`) or from the notebook's last cell (``check_from_notebook``)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from . import notebooks
from .autograde import autograde
from .course import REPO, new_course
from .results import NotebookResult


def self_check(notebook: Path, course_dir: Path) -> NotebookResult:
    """Grade one learner notebook exactly as the instructor would, hidden tests included.

    On a learner's own machine the sandbox is used when bubblewrap is installed, not required.
    """
    assignment = notebook.stem
    if assignment not in REPO.assignments():
        raise SystemExit(f"{notebook.name}: not a course problem (expected one of {REPO.assignments()})")
    course = new_course(course_dir, [assignment])
    course.submit("me", assignment, notebooks.read(notebook))
    return autograde(course, assignment, options=("--SandboxedKernelManager.mode=auto",))["me"][0]


def hidden_test_ids(assignment: str) -> set[str]:
    """Grade ids of the test cells that hold hidden tests."""
    return notebooks.hidden_test_ids(notebooks.read(REPO.source(assignment)))


def unsaved_answers(saved, ran: list[str]) -> list[str]:
    """Answer cells whose saved source differs from the last version of them the kernel ran.

    A ran cell is matched to an answer cell by its first line (``class Embeddings(nn.Module):``).
    """
    stale = []
    for grade_id, cell in notebooks.answer_cells(saved).items():
        first = next((line for line in cell.source.splitlines() if line.strip()), None)
        runs = [code for code in ran if first and first in code.splitlines()]
        if runs and runs[-1].strip() != cell.source.strip():
            stale.append(grade_id)
    return stale


def check_from_notebook() -> None:
    """The last cell of every problem: grade the saved notebook, hidden tests included, and print
    each test's result. Only in JupyterLab, which tells the kernel which notebook it runs."""
    session = os.environ.get("JPY_SESSION_NAME")  # set by Jupyter Server for the notebook's kernel
    if not session or not Path(session).is_file():
        print("Run this cell in JupyterLab to grade your saved notebook (or, in a terminal at the "
              "course root: make grade NB=<path of this notebook>).")
        return
    notebook = Path(session)
    from IPython import get_ipython

    shell = get_ipython()
    stale = unsaved_answers(notebooks.read(notebook), list(shell.user_ns.get("In", [])) if shell else [])
    if stale:
        print(f"Your saved notebook differs from the code you last ran ({', '.join(stale)}). Save it "
              "(Ctrl+S, or Cmd+S on a Mac) and run this cell again: grading reads the saved file.")
        return
    print(f"Grading the saved {notebook.name} as your instructor will (a fresh kernel; about a "
          "minute) ...", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        result = self_check(notebook, Path(tmp))
    from .report import self_check_report

    print(self_check_report(result, hidden_test_ids(result.assignment)))
