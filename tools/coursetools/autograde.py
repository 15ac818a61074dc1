"""Autograde a cohort through real nbgrader, one learner after another or several at once."""
from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from . import notebooks
from .course import Course
from .nbgrader_cli import nbgrader
from .results import NotebookResult, read_results

UNREADABLE_NOTE = (
    "**Grading note:** the submitted notebook could not be read ({reason}). It was graded as an "
    "empty learner copy; the file as submitted is kept beside it as `{kept}`.")


def quarantine_unreadable(course: Course, assignment: str) -> dict[str, str]:
    """Replace each submitted notebook that is not a readable notebook by the empty learner copy
    with a note saying why, so it scores 0 with a clear reason instead of stopping for a
    manual grade. Returns {student: reason}."""
    reasons = {}
    for path in course.submitted_notebooks(assignment):
        try:
            nbformat.validate(notebooks.read(path))
            continue
        except Exception as err:  # not JSON, not a notebook, wrong schema: all mean unreadable
            reason = f"{type(err).__name__}: {str(err).splitlines()[0][:200]}"
        kept = path.with_name(path.name + ".unreadable")
        path.rename(kept)
        blank = notebooks.read(course.release(assignment))
        blank.cells.insert(0, nbformat.v4.new_markdown_cell(UNREADABLE_NOTE.format(reason=reason, kept=kept.name)))
        nbformat.write(blank, str(path))
        reasons[path.parts[-3]] = reason
    return reasons


class Progress:
    """Turns nbgrader's log into one line per notebook: which learner, which notebook, how far.

    Also passes on nbgrader's errors and warnings, but for the changed-checksum warning that every
    hidden-test cell raises. Safe to share between worker threads.
    """

    def __init__(self, assignment: str, total: int):
        self.assignment, self.total, self.done = assignment, total, 0
        self.started, self.lock = time.monotonic(), threading.Lock()

    def __call__(self, line: str) -> None:
        started = re.search(r"Sanitizing (\S+\.ipynb)", line)
        with self.lock:
            if started:
                path = Path(started[1])
                self.done += 1
                print(f"[{self.done}/{self.total}] {self.assignment}: grading {path.parts[-3]} ({path.name}), "
                      f"{time.monotonic() - self.started:.0f} s so far", flush=True)
            elif "| ERROR]" in line or ("| WARNING]" in line and "Attribute 'checksum'" not in line):
                print("    " + line, flush=True)  # (every hidden-test cell differs from the learner copy's)


def autograde(course: Course, assignment: str, quiet: bool = True, jobs: int = 1,
              progress: bool = False, options: tuple[str, ...] = ()) -> dict[str, list[NotebookResult]]:
    """Autograde every submission of ``assignment``; with ``jobs > 1``, that many learners at once.

    nbgrader grades a cohort one notebook after another (jupyter/nbgrader#174). In parallel, the
    learners are dealt into ``jobs`` shares and each share is graded by its own ``nbgrader
    autograde`` process (excluding everyone else); the processes share the gradebook, whose
    writes are short. ``options`` are passed on to ``nbgrader autograde``. With ``progress``,
    a line per notebook says which learner is being graded and how far the batch is.
    """
    for student, reason in quarantine_unreadable(course, assignment).items():
        print(f"{student}/{assignment}: unreadable notebook, graded as empty ({reason})", flush=True)
    students = course.submitted_students(assignment)
    on_line = Progress(assignment, len(students)) if progress else None
    if jobs <= 1:
        done = nbgrader("autograde", assignment, "--force", *options, cwd=course.root, check=False,
                        quiet=quiet, on_line=on_line)
        if done.returncode != 0:  # nbgrader went on past the submissions it could not grade
            print(f"{assignment}: nbgrader reported errors; see needs-manual-grade entries", flush=True)
        return read_results(course, assignment)
    shares = [share for share in (students[i::jobs] for i in range(jobs)) if share]

    def grade_share(share: list[str]) -> str:
        others = ",".join(sorted(set(students) - set(share)))
        for _ in range(3):  # a worker that loses a race for the gradebook's lock tries again
            done = nbgrader("autograde", assignment, "--force", f"--CourseDirectory.student_id_exclude={others}",
                            *options, cwd=course.root, check=False, quiet=True, on_line=on_line)
            if done.returncode == 0:
                return ""
        return done.stderr[-1000:]

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for share, error in zip(shares, pool.map(grade_share, shares)):
            if error:
                print(f"{assignment}: grading {len(share)} learners ({share[0]} ...) FAILED: {error}", flush=True)
    return read_results(course, assignment)
