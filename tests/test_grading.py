"""The grading pipeline: every problem's catalogue graded, and the warm grader proven equal to nbgrader.

For every problem: the instructor solution scores full marks, the untouched learner copy scores
zero, every catalogued buggy submission (mutant) loses points with a message that names the
mistake, and every catalogued correct-but-different submission (variant) scores full marks.
The catalogue lives in catalogue/submissions/<problem>/{mutants,variants}/, one file per case.

`make test` grades each catalogue in one warm process (coursetools.warm) and sends a sample
(solution, blank copy, and a mutant or, on even-numbered problems, a variant) through real nbgrader too, which must give the
same per-test scores and messages; `make test-all` sends every case through nbgrader.
"""
from __future__ import annotations

import json
import re

import pytest

from coursetools import catalogue, hostile, notebooks
from coursetools.course import REPO

from helpers import ASSIGNMENTS, SWEEP, per_problem, xdist_group

CASES = [(a, case) for a in ASSIGNMENTS for case in catalogue.cases(a)]


def _failures(result) -> str:
    return "; ".join(f"{c.grade_id}: {c.message[:300]}" for c in result.cells.values() if c.score < c.max_score)


def _messages(result) -> dict[str, str]:
    """Each test's message, object addresses (which differ from run to run) blanked."""
    return {g: re.sub(r"0x[0-9a-f]+", "0x…", c.message) for g, c in result.cells.items()}


def _per_case(kind: str):
    return [pytest.param(a, c, id=f"{a}-{c.name}", marks=xdist_group(a)) for a, c in CASES if c.kind == kind]


@pytest.mark.parametrize("assignment", per_problem())
def test_catalogue_is_large_enough(assignment):
    cases = catalogue.cases(assignment)
    assert sum(c.kind == "mutant" for c in cases) >= 8, "each problem needs >= 8 buggy submissions"
    assert sum(c.kind == "variant" for c in cases) >= 4, "each problem needs >= 4 correct variants"
    assert all(c.expect for c in cases if c.kind == "mutant"), "every mutant states the message it expects"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", per_problem())
def test_committed_release_matches_a_fresh_generation(graded_catalogue, assignment):
    """release/ is what nbgrader generates from source/ (the grading course generated it afresh)."""
    fresh = json.loads(graded_catalogue(assignment).course.release(assignment).read_text())
    committed = json.loads(REPO.release(assignment).read_text())
    assert committed == fresh, f"release/{assignment} is stale: run `make release A={assignment}`"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", per_problem())
def test_solution_gets_full_marks(graded_catalogue, assignment):
    graded = graded_catalogue(assignment)
    for result in (graded.nbgrader["solution"], graded.warm["solution"]):
        assert result.max_score > 0
        assert result.score == result.max_score, _failures(result)
        assert not result.needs_manual_grade


@pytest.mark.slow
@pytest.mark.parametrize("assignment", per_problem())
def test_untouched_learner_copy_scores_zero(graded_catalogue, assignment):
    """Every test fails with NotImplementedError, and everything before the first test (setup,
    answer skeletons, any cell the learner runs first) ran without an error."""
    graded = graded_catalogue(assignment)
    result = graded.nbgrader["blank"]
    assert result.score == 0
    assert not result.needs_manual_grade
    for cell in result.cells.values():
        assert cell.message.startswith("NotImplementedError"), (cell.grade_id, cell.message)
    ran = notebooks.read(graded.course.autograded("blank", assignment)).cells
    first_test = next(i for i, cell in enumerate(ran) if notebooks.is_test(cell))
    for index, cell in enumerate(ran[:first_test]):
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        assert not errors, f"cell {index} of the learner copy fails before any test: {errors[0].ename}: {errors[0].evalue}"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", per_problem())
def test_warm_grading_gives_nbgrader_s_scores_and_messages(graded_catalogue, assignment):
    graded = graded_catalogue(assignment)
    sample = set(graded.nbgrader) & set(graded.warm)
    case = "mutant-" if int(assignment[:2]) % 2 else "variant-"  # catalogue.equivalence_sample
    assert {"solution", "blank"} <= sample and any(s.startswith(case) for s in sample), (
        f"the sample graded both ways is too small: {sample}")
    if SWEEP:
        assert sample == set(graded.warm)
    if assignment == hostile.MACHINERY_PROBLEM:
        assert any(s.startswith("hostile-") for s in sample), "the component hostile cases are compared too"
    for student in sorted(sample):
        real, warm = graded.nbgrader[student], graded.warm[student]
        assert warm.per_test_scores() == real.per_test_scores(), student
        assert _messages(warm) == _messages(real), student
        assert (warm.score, warm.max_score) == (real.score, real.max_score)


@pytest.mark.slow
@pytest.mark.parametrize("assignment,case", _per_case("mutant"))
def test_buggy_submission_loses_points_with_a_telling_message(graded_catalogue, assignment, case):
    result = graded_catalogue(assignment).result(case.student)
    assert result.score < result.max_score, f"{case.name} got full marks: the tests miss this bug"
    assert not result.needs_manual_grade
    messages = " | ".join(c.message for c in result.cells.values() if c.score < c.max_score)
    for expected in case.expect:
        assert expected in messages, f"no failing test says {expected!r}; messages: {messages}"


@pytest.mark.slow
@pytest.mark.parametrize("assignment,case", _per_case("variant"))
def test_correct_variant_gets_full_marks(graded_catalogue, assignment, case):
    result = graded_catalogue(assignment).result(case.student)
    assert result.score == result.max_score, _failures(result)
    assert not result.needs_manual_grade
