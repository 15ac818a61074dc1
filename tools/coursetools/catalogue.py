"""The catalogue of submissions that proves a problem's grading fair, and how it is graded.

Each problem keeps, in ``catalogue/submissions/<NN-slug>/``, realistic buggy answers (mutants,
which must lose points with a message naming the mistake) and correct answers written
differently (variants, which must get full marks), one file per case.

Grading a catalogue: the instructor solution, the untouched learner copy and every case are
graded in one warm process (``coursetools.warm``). A sample of them (the solution, the blank
copy, and the first mutant or, on even-numbered problems, the first variant) also goes through real nbgrader, in the sandbox,
and must get the same per-test scores: that proves the warm process grades as nbgrader does.
``sweep=True`` sends every case through real nbgrader as well (``make test-all``).

The same batch can carry hostile cases (``coursetools.hostile``): those that hand in the
problem's reference component are graded with every problem's catalogue, in the warm process
(its tamper guard is the one real grading uses) and, on one problem, through nbgrader as well.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import notebooks
from .autograde import autograde
from .course import REPO, Course, new_course
from .hostile import HostileCase, Kit
from .results import NotebookResult
from .warm import grade_in_warm_process


@dataclass(frozen=True)
class Case:
    """One catalogued submission: an answer cell rewritten, with what grading should say.

    File format (``catalogue/submissions/<assignment>/{mutants,variants}/<name>.py``): header
    comment lines ``# cell: <grade id of the answer cell it replaces>`` and, for mutants, one or
    more ``# expect: <text the feedback must contain>``; the rest of the file is the cell's source.
    """

    name: str
    kind: str  # "mutant" (a realistic bug) or "variant" (correct, written differently)
    cell: str
    source: str
    expect: tuple[str, ...] = ()

    @property
    def student(self) -> str:
        return f"{self.kind}-{self.name}"

    @classmethod
    def from_file(cls, path: Path) -> "Case":
        header, body = {}, []
        expect: list[str] = []
        for line in path.read_text().splitlines():
            match = re.match(r"^# (cell|expect): (.+)$", line)
            if match and not body:
                if match[1] == "expect":
                    expect.append(match[2].strip())
                else:
                    header[match[1]] = match[2].strip()
            else:
                body.append(line)
        if "cell" not in header:
            raise ValueError(f"{path}: missing '# cell: <grade id>' header")
        kind = {"mutants": "mutant", "variants": "variant"}[path.parent.name]
        return cls(path.stem, kind, header["cell"], "\n".join(body).strip() + "\n", tuple(expect))


def cases(assignment: str, repo: Course = REPO) -> list[Case]:
    """All mutants and variants stored for one assignment."""
    directory = repo.cases_dir(assignment)
    return [Case.from_file(p) for kind in ("mutants", "variants")
            for p in sorted((directory / kind).glob("*.py"))]


def standard_submissions(course: Course, assignment: str) -> dict[str, nbformat.NotebookNode]:
    """The instructor solution and the untouched learner copy."""
    release = notebooks.read(course.release(assignment))
    solution = notebooks.solution_answers(notebooks.read(course.source(assignment)))
    return {"solution": notebooks.fill_answers(release, solution), "blank": release}


def case_submission(course: Course, assignment: str, case: Case) -> nbformat.NotebookNode:
    """The learner notebook with the solution everywhere except the case's cell."""
    answers = notebooks.solution_answers(notebooks.read(course.source(assignment)))
    answers[case.cell] = case.source
    return notebooks.fill_answers(notebooks.read(course.release(assignment)), answers)


def equivalence_sample(assignment: str, all_cases: list[Case]) -> list[str]:
    """Students graded both ways on every run: the two standard ones and one catalogued case, a
    mutant for odd-numbered problems and a variant for even ones (so the course's run compares
    both kinds, for a third less nbgrader time than one of each per problem)."""
    kind = "mutant" if int(assignment[:2]) % 2 else "variant"
    first = next((c.student for c in all_cases if c.kind == kind), None)
    return ["solution", "blank", *([first] if first else [])]


@dataclass
class GradedCatalogue:
    course: Course
    cases: list[Case]
    warm: dict[str, NotebookResult]               # every student, graded in the warm process
    nbgrader: dict[str, NotebookResult] = field(default_factory=dict)  # those also graded by nbgrader

    def result(self, student: str) -> NotebookResult:
        """The real nbgrader result where there is one, else the warm one."""
        return self.nbgrader.get(student) or self.warm[student]


def grade_catalogue(course_dir: Path, assignment: str, sweep: bool = False,
                    hostile_cases: list[HostileCase] = (), hostile_through_nbgrader: bool = False,
                    warm_only: bool = False) -> GradedCatalogue:
    """Grade the solution, the blank copy and every catalogued case of one assignment.

    Students are named after the case (``solution``, ``blank``, ``mutant-<name>``,
    ``variant-<name>``, ``hostile-<name>`` for the given hostile cases). All of them are graded in
    the warm process; the equivalence sample (with ``sweep`` every case, with
    ``hostile_through_nbgrader`` the hostile ones too) also through real nbgrader, in one batch.
    ``warm_only`` skips nbgrader (a quick look while writing a problem).
    """
    course = new_course(course_dir, [assignment])
    all_cases = cases(assignment)
    submissions = standard_submissions(course, assignment)
    submissions.update({case.student: case_submission(course, assignment, case) for case in all_cases})
    kit = Kit(course, assignment)
    hostile = {case.student: case.module.submission(kit) for case in hostile_cases}
    through_nbgrader = list(submissions) if sweep else equivalence_sample(assignment, all_cases)
    through_nbgrader += list(hostile) if hostile_through_nbgrader or sweep else []
    submissions.update(hostile)
    graded = GradedCatalogue(course, all_cases, grade_in_warm_process(course, assignment, submissions))
    if not warm_only:
        for student in through_nbgrader:
            course.submit(student, assignment, submissions[student])
        graded.nbgrader = {student: nbs[0] for student, nbs in autograde(course, assignment).items()}
    return graded
