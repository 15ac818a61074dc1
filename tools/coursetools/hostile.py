"""The hostile and mangled submissions catalogue, graded for any problem.

Each case is a file ``tests/hostile/<name>.py`` with a docstring saying what the learner did,
``EXPECT`` (``"full"``: the grade is unaffected; ``"zero"``: nothing earned; ``"flagged"``:
nothing earned and reported as tampering), optionally ``MESSAGE`` (text a failing test's message
must contain), and ``submission(kit)``, which builds the submitted notebook (or the raw text of
an unreadable one) from a ``Kit`` for the problem at hand. Cases are written once and run for
every problem, present and future.
"""
from __future__ import annotations

import copy
import importlib.util
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import nbformat

from . import cohort, notebooks
from .nbgrader_cli import NotebookResult

HOSTILE = cohort.REPO / "tests" / "hostile"
# Short limits keep a batch with stuck notebooks quick; the real ones are in nbgrader_config.py.
BATCH_LIMITS = """
c.ExecutePreprocessor.timeout = 10
c.GuardedExecute.notebook_timeout = 30
c.SandboxedKernelManager.file_size_limit_mb = 64
"""
EXPECTATIONS = ("full", "zero", "flagged")


@dataclass
class HostileCase:
    name: str
    doc: str
    expect: str
    message: str
    module: ModuleType

    @classmethod
    def from_file(cls, path: Path) -> "HostileCase":
        spec = importlib.util.spec_from_file_location(f"hostile_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if module.EXPECT not in EXPECTATIONS:
            raise ValueError(f"{path}: EXPECT must be one of {EXPECTATIONS}")
        doc = (module.__doc__ or "").strip().splitlines()[0]
        return cls(path.stem, doc, module.EXPECT, getattr(module, "MESSAGE", ""), module)


def hostile_cases(directory: Path = HOSTILE) -> list[HostileCase]:
    return [HostileCase.from_file(p) for p in sorted(directory.glob("*.py")) if not p.name.startswith("_")]


class Kit:
    """What a case needs to build its submission for one problem."""

    def __init__(self, course_dir: Path, assignment: str):
        name = cohort.notebook_name(assignment)
        source = notebooks.read(course_dir / "source" / assignment / name)
        self.assignment = assignment
        self.release = notebooks.read(course_dir / "release" / assignment / name)
        self.answers = cohort.solution_answers(source)
        self.solution = notebooks.fill_answers(self.release, self.answers)
        self.components = sorted(set().union(*notebooks.graded_components(source).values()))
        self.test_ids = list(notebooks.test_cells(source))

    def copy(self):
        return copy.deepcopy(self.solution)

    def answered(self, change) -> nbformat.NotebookNode:
        """The solution with every answer cell's source passed through ``change(grade_id, source)``."""
        return notebooks.fill_answers(self.release, {gid: change(gid, src) for gid, src in self.answers.items()})

    def components_replaced(self, make) -> nbformat.NotebookNode:
        """Every answer cell replaced by ``import gpt2`` and ``make(name)`` for each component it defines."""
        def replace(grade_id, source):
            names = [n for n in self.components if n in notebooks.defined_names(source)]
            return "import gpt2\n" + "".join(make(n) for n in names)
        return self.answered(replace)

    def with_prelude(self, code: str) -> nbformat.NotebookNode:
        """The solution, with ``code`` run at the top of the first answer cell."""
        first = next(iter(self.answers))
        return self.answered(lambda gid, src: code.strip() + "\n\n" + src if gid == first else src)

    def with_init(self, body: str) -> nbformat.NotebookNode:
        """The solution, with every component's ``__init__`` replaced, after the last answer
        cell, by a function of ``(self, *args, **kwargs)`` whose body is ``body``: the learner's
        own class misbehaving each time a test builds it."""
        last = list(self.answers)[-1]
        code = ("def _misbehave(self, *args, **kwargs):\n" + textwrap.indent(body.strip(), "    ") + "\n\n"
                f"for _name in {self.components!r}:\n    globals()[_name].__init__ = _misbehave\n")
        return self.answered(lambda gid, src: src + "\n\n" + code if gid == last else src)

    def cells_where(self, predicate, change=None, drop=False) -> nbformat.NotebookNode:
        """The solution with the cells matching ``predicate(cell)`` changed in place or dropped."""
        nb = self.copy()
        kept = []
        for cell in nb.cells:
            if predicate(cell):
                if drop:
                    continue
                change(cell)
            kept.append(cell)
        nb.cells = kept
        return nb

    def is_cell(self, grade_id: str):
        return lambda cell: notebooks.nbgrader_meta(cell).get("grade_id") == grade_id


def submit_case(course_dir: Path, assignment: str, student: str, submission) -> None:
    if isinstance(submission, str):  # the raw bytes of a broken upload
        target = course_dir / "submitted" / student / assignment / cohort.notebook_name(assignment)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(submission)
    else:
        cohort.submit(course_dir, assignment, student, submission)


def grade_hostile(course_dir: Path, assignment: str, jobs: int = 1,
                  progress: bool = False) -> tuple[dict[str, NotebookResult], float]:
    """Grade the solution and every hostile case of one problem in one batch.

    Returns {student: result} (students ``solution`` and ``hostile-<case>``) and the batch's
    autograde time in seconds.
    """
    cohort.new_course(course_dir, [assignment])
    with open(course_dir / "nbgrader_config.py", "a") as config:
        config.write(BATCH_LIMITS)
    kit = Kit(course_dir, assignment)
    cohort.submit(course_dir, assignment, "solution", kit.copy())
    for case in hostile_cases():
        submit_case(course_dir, assignment, f"hostile-{case.name}", case.module.submission(kit))
    started = time.monotonic()
    results = cohort.autograde(course_dir, assignment, jobs=jobs, progress=progress)
    return {student: nbs[0] for student, nbs in results.items()}, time.monotonic() - started


def meets_expectation(case: HostileCase, result: NotebookResult) -> str:
    """Empty if ``result`` is what ``case`` expects, else what is wrong."""
    if result.needs_manual_grade:
        return "left for manual grading"
    messages = [c.message for c in result.cells.values()]
    if case.expect == "full" and result.score != result.max_score:
        return f"lost points: {[m for m in messages if m]}"
    if case.expect in ("zero", "flagged") and result.score != 0:
        return f"scored {result.score}"
    if not result.cells:
        return "its tests were not graded"
    if case.expect == "flagged" and not any(m.startswith("TamperingDetected") for m in messages):
        return f"not flagged: {messages}"
    if case.message and not any(case.message in m for m in messages):
        return f"no message contains {case.message!r}: {messages}"
    return ""
