"""Grade a cohort of submissions through the real nbgrader pipeline in a scratch course."""
from __future__ import annotations

import re
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from . import notebooks
from .nbgrader_cli import NotebookResult, nbgrader, read_results

REPO = Path(__file__).resolve().parents[2]
SUBMISSIONS = REPO / "tests" / "submissions"


def assignments(root: Path = REPO) -> list[str]:
    """Problem ids (``NN-slug``) that have an instructor notebook."""
    return sorted(p.parent.name for p in (root / "source").glob("*/*.ipynb")
                  if p.stem == p.parent.name)


def notebook_name(assignment: str) -> str:
    return f"{assignment}.ipynb"


def new_course(course_dir: Path, assignment_ids: list[str], root: Path = REPO) -> Path:
    """A fresh course directory with the config and the given instructor notebooks, released."""
    course_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(root / "nbgrader_config.py", course_dir / "nbgrader_config.py")
    for a in assignment_ids:
        shutil.copytree(root / "source" / a, course_dir / "source" / a, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        nbgrader("generate_assignment", a, "--force", cwd=course_dir, quiet=True)
    return course_dir


def solution_answers(source_nb) -> dict[str, str]:
    """Every answer cell of the instructor notebook, as a learner who got it right writes it."""
    return {gid: notebooks.strip_solution_markers(cell.source)
            for gid, cell in notebooks.answer_cells(source_nb).items()}


def case_submission(course_dir: Path, assignment: str, case: notebooks.Case) -> nbformat.NotebookNode:
    """The learner notebook with the solution everywhere except the case's cell."""
    name = notebook_name(assignment)
    answers = solution_answers(notebooks.read(course_dir / "source" / assignment / name))
    answers[case.cell] = case.source
    return notebooks.fill_answers(notebooks.read(course_dir / "release" / assignment / name), answers)


def standard_submissions(course_dir: Path, assignment: str) -> dict[str, nbformat.NotebookNode]:
    """The instructor solution and the untouched learner copy."""
    name = notebook_name(assignment)
    release = notebooks.read(course_dir / "release" / assignment / name)
    solution = solution_answers(notebooks.read(course_dir / "source" / assignment / name))
    return {"solution": notebooks.fill_answers(release, solution), "blank": release}


def submit(course_dir: Path, assignment: str, student: str, nb) -> None:
    target = course_dir / "submitted" / student / assignment
    target.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(target / notebook_name(assignment)))


UNREADABLE_NOTE = (
    "**Grading note:** the submitted notebook could not be read ({reason}). It was graded as an "
    "empty learner copy; the file as submitted is kept beside it as `{kept}`.")


def quarantine_unreadable(course_dir: Path, assignment: str) -> dict[str, str]:
    """Replace each submitted notebook that is not a readable notebook by the empty learner copy
    with a note saying why, so it scores 0 with a clear reason instead of stopping for a
    manual grade. Returns {student: reason}."""
    name = notebook_name(assignment)
    reasons = {}
    for path in sorted((course_dir / "submitted").glob(f"*/{assignment}/{name}")):
        try:
            nbformat.validate(notebooks.read(path))
            continue
        except Exception as err:  # not JSON, not a notebook, wrong schema: all mean unreadable
            reason = f"{type(err).__name__}: {str(err).splitlines()[0][:200]}"
        kept = path.with_name(path.name + ".unreadable")
        path.rename(kept)
        blank = notebooks.read(course_dir / "release" / assignment / name)
        blank.cells.insert(0, nbformat.v4.new_markdown_cell(UNREADABLE_NOTE.format(reason=reason, kept=kept.name)))
        nbformat.write(blank, str(path))
        reasons[path.parts[-3]] = reason
    return reasons


def submitted_students(course_dir: Path, assignment: str) -> list[str]:
    return sorted(p.parent.name for p in (course_dir / "submitted").glob(f"*/{assignment}"))


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


def autograde(course_dir: Path, assignment: str, quiet: bool = True, jobs: int = 1,
              progress: bool = False, options: tuple[str, ...] = ()) -> dict[str, list[NotebookResult]]:
    """Autograde every submission of ``assignment``; with ``jobs > 1``, that many learners at once.

    nbgrader grades a cohort one notebook after another (jupyter/nbgrader#174). In parallel, the
    learners are dealt into ``jobs`` shares and each share is graded by its own ``nbgrader
    autograde`` process (excluding everyone else); the processes share the gradebook, whose
    writes are short. ``options`` are passed on to ``nbgrader autograde``. With ``progress``,
    a line per notebook says which learner is being graded and how far the batch is.
    """
    for student, reason in quarantine_unreadable(course_dir, assignment).items():
        print(f"{student}/{assignment}: unreadable notebook, graded as empty ({reason})", flush=True)
    students = submitted_students(course_dir, assignment)
    on_line = Progress(assignment, len(students)) if progress else None
    if jobs <= 1:
        done = nbgrader("autograde", assignment, "--force", *options, cwd=course_dir, check=False,
                        quiet=quiet, on_line=on_line)
        if done.returncode != 0:  # nbgrader went on past the submissions it could not grade
            print(f"{assignment}: nbgrader reported errors; see needs-manual-grade entries", flush=True)
        return read_results(course_dir, assignment)
    shares = [share for share in (students[i::jobs] for i in range(jobs)) if share]

    def grade_share(share: list[str]) -> str:
        others = ",".join(sorted(set(students) - set(share)))
        for _ in range(3):  # a worker that loses a race for the gradebook's lock tries again
            done = nbgrader("autograde", assignment, "--force", f"--CourseDirectory.student_id_exclude={others}",
                            *options, cwd=course_dir, check=False, quiet=True, on_line=on_line)
            if done.returncode == 0:
                return ""
        return done.stderr[-1000:]

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for share, error in zip(shares, pool.map(grade_share, shares)):
            if error:
                print(f"{assignment}: grading {len(share)} learners ({share[0]} ...) FAILED: {error}", flush=True)
    return read_results(course_dir, assignment)


def grade_catalogue(course_dir: Path, assignment: str) -> tuple[dict[str, NotebookResult], list[notebooks.Case]]:
    """Grade the solution, the blank copy and every catalogued case of one assignment.

    Students are named after the case (``solution``, ``blank``, ``mutant-<name>``,
    ``variant-<name>``); returns their results and the cases.
    """
    new_course(course_dir, [assignment])
    for student, nb in standard_submissions(course_dir, assignment).items():
        submit(course_dir, assignment, student, nb)
    cases = notebooks.catalogue(SUBMISSIONS / assignment)
    for case in cases:
        submit(course_dir, assignment, f"{case.kind}-{case.name}", case_submission(course_dir, assignment, case))
    results = autograde(course_dir, assignment)
    return {student: nbs[0] for student, nbs in results.items()}, cases


def hidden_test_ids(assignment: str, root: Path = REPO) -> set[str]:
    """Grade ids of the test cells that hold hidden tests."""
    source = notebooks.read(root / "source" / assignment / notebook_name(assignment))
    return {gid for gid, cell in notebooks.test_cells(source).items() if notebooks.BEGIN_HIDDEN in cell.source}


def self_check(notebook: Path, course_dir: Path) -> NotebookResult:
    """Grade one learner notebook exactly as the instructor would, hidden tests included.

    On a learner's own machine the sandbox is used when bubblewrap is installed, not required.
    """
    assignment = notebook.stem
    if assignment not in assignments():
        raise SystemExit(f"{notebook.name}: not a course problem (expected one of {assignments()})")
    new_course(course_dir, [assignment])
    submit(course_dir, assignment, "me", notebooks.read(notebook))
    return autograde(course_dir, assignment, options=("--SandboxedKernelManager.mode=auto",))["me"][0]
