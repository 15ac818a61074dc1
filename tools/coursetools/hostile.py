"""The hostile and mangled submissions catalogue, graded for any problem.

Each case is a file ``catalogue/hostile/<name>.py`` with a docstring saying what the learner
did, ``EXPECT`` (``"full"``: the grade is unaffected; ``"zero"``: nothing earned; ``"flagged"``:
nothing earned and reported as tampering), optionally ``MESSAGE`` (text a failing test's message
must contain), optionally ``SCOPE``, and ``submission(kit)``, which builds the submitted notebook
(or the raw text of an unreadable one) from a ``Kit`` for the problem at hand. Cases are written
once and run for any problem, present and future.

``SCOPE`` says what a case tests. ``"machinery"`` (the default): the grading machinery (stuck and
crashing kernels, memory, mangled notebooks, the sandbox, patched helpers), which is the same for
every problem, so ``make test`` runs these on one problem (``MACHINERY_PROBLEM``), in a batch of
their own with short time limits. ``"component"``: what depends on the problem's own components
(handing in the reference one), graded on every problem with its catalogue (``coursetools.catalogue``).
``make test-all`` runs the machinery cases on every problem too; ``make hostile A=...`` runs all.
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

from . import notebooks
from .autograde import autograde
from .course import REPO, Course, new_course
from .results import TAMPERING, NotebookResult

SCOPES = ("machinery", "component")
MACHINERY_PROBLEM = "01-embeddings"  # the problem the machinery cases run on in `make test`
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
    scope: str
    module: ModuleType

    @classmethod
    def from_file(cls, path: Path) -> "HostileCase":
        spec = importlib.util.spec_from_file_location(f"hostile_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if module.EXPECT not in EXPECTATIONS:
            raise ValueError(f"{path}: EXPECT must be one of {EXPECTATIONS}")
        scope = getattr(module, "SCOPE", "machinery")
        if scope not in SCOPES:
            raise ValueError(f"{path}: SCOPE must be one of {SCOPES}")
        doc = (module.__doc__ or "").strip().splitlines()[0]
        return cls(path.stem, doc, module.EXPECT, getattr(module, "MESSAGE", ""), scope, module)

    @property
    def student(self) -> str:
        return f"hostile-{self.name}"


def hostile_cases(repo: Course = REPO) -> list[HostileCase]:
    return [HostileCase.from_file(p) for p in sorted(repo.hostile_dir().glob("*.py")) if not p.name.startswith("_")]


def machinery_problems(assignments: list[str], everything: bool = False) -> list[str]:
    """The problems the machinery cases run on: one, or with ``everything`` all of them."""
    return list(assignments) if everything else [MACHINERY_PROBLEM]


class Kit:
    """What a case needs to build its submission for one problem."""

    def __init__(self, course: Course, assignment: str):
        source = notebooks.read(course.source(assignment))
        self.assignment = assignment
        self.release = notebooks.read(course.release(assignment))
        self.answers = notebooks.solution_answers(source)
        self.solution = notebooks.fill_answers(self.release, self.answers)
        self.components = sorted(set().union(*notebooks.graded_components(source).values()))
        # components that are functions (count_parameters, say), not classes: there is no subclassing them
        self.functions = {name for name in self.components
                          if any(f"def {name}(" in answer for answer in self.answers.values())}
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
        return lambda cell: notebooks.grade_id(cell) == grade_id


def grade_hostile(course_dir: Path, assignment: str, cases: list[HostileCase], jobs: int = 1,
                  progress: bool = False, extra_config: str = "") -> tuple[dict[str, NotebookResult], float]:
    """Grade the solution and the given hostile cases of one problem in one batch, with the
    batch's short limits and ``extra_config`` added to the course's nbgrader configuration.

    Returns {student: result} (students ``solution`` and ``hostile-<case>``) and the batch's
    autograde time in seconds.
    """
    course = new_course(course_dir, [assignment])
    with open(course.root / "nbgrader_config.py", "a") as config:
        config.write(BATCH_LIMITS + extra_config)
    kit = Kit(course, assignment)
    course.submit("solution", assignment, kit.copy())
    for case in cases:
        course.submit(case.student, assignment, case.module.submission(kit))
    started = time.monotonic()
    results = autograde(course, assignment, jobs=jobs, progress=progress)
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
    if case.expect == "flagged":  # every test the tampering cost says so, not a message it caused
        unexplained = [f"{c.grade_id}: {c.message[:120]}" for c in result.cells.values()
                       if c.score < c.max_score and not c.message.startswith(TAMPERING)]
        if unexplained:
            return f"tests failed without saying {TAMPERING}: {unexplained}"
    if case.message and not any(case.message in m for m in messages):
        return f"no message contains {case.message!r}: {messages}"
    return ""


def table(cases: list[HostileCase], results: dict[str, NotebookResult], seconds: float) -> str:
    """One line per hostile case: what was expected, the score, and whether it held."""
    lines = [f"{'case':30s} {'expect':8s} {'score':>8s}  result"]
    for case in cases:
        r = results[case.student]
        problem = meets_expectation(case, r)
        lines.append(f"{case.name:30s} {case.expect:8s} {f'{r.score:g}/{r.max_score:g}':>8s}  "
                     + (f"WRONG: {problem[:200]}" if problem else "ok"))
    solution = results["solution"]
    lines.append(f"{'(solution, same batch)':30s} {'full':8s} {f'{solution.score:g}/{solution.max_score:g}':>8s}")
    lines.append(f"batch of {len(results)} notebooks graded in {seconds:.0f} s")
    return "\n".join(lines)
