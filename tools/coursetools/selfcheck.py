"""`make grade NB=...`: a self-paced learner grades their own notebook as the instructor would."""
from __future__ import annotations

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
