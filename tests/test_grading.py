"""The grading pipeline, end to end through real nbgrader (generate -> autograde -> gradebook).

For every problem: the instructor solution scores full marks, the untouched learner copy scores
zero, every catalogued buggy submission (mutant) loses points with a message that names the
mistake, and every catalogued correct-but-different submission (variant) scores full marks.
The catalogue lives in tests/submissions/<problem>/{mutants,variants}/, one file per case.
"""
from __future__ import annotations

import pytest

from coursetools import cohort, notebooks

from conftest import xdist_group as _group

ASSIGNMENTS = cohort.assignments()
CASES = [(a, case) for a in ASSIGNMENTS for case in notebooks.catalogue(cohort.SUBMISSIONS / a)]


@pytest.fixture
def graded(graded_course):
    return lambda assignment: graded_course(assignment)[1]


def _failures(result) -> str:
    return "; ".join(f"{c.grade_id}: {c.message[:300]}" for c in result.cells.values() if c.score < c.max_score)


@pytest.mark.parametrize("assignment", [pytest.param(a, marks=_group(a)) for a in ASSIGNMENTS])
def test_catalogue_is_large_enough(assignment):
    cases = notebooks.catalogue(cohort.SUBMISSIONS / assignment)
    assert sum(c.kind == "mutant" for c in cases) >= 5, "each problem needs >= 5 buggy submissions"
    assert sum(c.kind == "variant" for c in cases) >= 3, "each problem needs >= 3 correct variants"
    assert all(c.expect for c in cases if c.kind == "mutant"), "every mutant states the message it expects"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", [pytest.param(a, marks=_group(a)) for a in ASSIGNMENTS])
def test_solution_gets_full_marks(graded, assignment):
    result = graded(assignment)["solution"]
    assert result.max_score > 0
    assert result.score == result.max_score, _failures(result)
    assert not result.needs_manual_grade


@pytest.mark.slow
@pytest.mark.parametrize("assignment", [pytest.param(a, marks=_group(a)) for a in ASSIGNMENTS])
def test_untouched_learner_copy_scores_zero(graded, assignment):
    result = graded(assignment)["blank"]
    assert result.score == 0
    assert not result.needs_manual_grade
    for cell in result.cells.values():
        assert cell.message.startswith("NotImplementedError"), (cell.grade_id, cell.message)


@pytest.mark.slow
@pytest.mark.parametrize("assignment,case", [
    pytest.param(a, c, id=f"{a}-{c.name}", marks=_group(a)) for a, c in CASES if c.kind == "mutant"])
def test_buggy_submission_loses_points_with_a_telling_message(graded, assignment, case):
    result = graded(assignment)[f"mutant-{case.name}"]
    assert result.score < result.max_score, f"{case.name} got full marks: the tests miss this bug"
    assert not result.needs_manual_grade
    messages = " | ".join(c.message for c in result.cells.values() if c.score < c.max_score)
    for expected in case.expect:
        assert expected in messages, f"no failing test says {expected!r}; messages: {messages}"


@pytest.mark.slow
@pytest.mark.parametrize("assignment,case", [
    pytest.param(a, c, id=f"{a}-{c.name}", marks=_group(a)) for a, c in CASES if c.kind == "variant"])
def test_correct_variant_gets_full_marks(graded, assignment, case):
    result = graded(assignment)[f"variant-{case.name}"]
    assert result.score == result.max_score, _failures(result)
    assert not result.needs_manual_grade
