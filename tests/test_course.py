"""Course lint: notebook metadata, clean storage, learner copies in sync, notebooks that run."""
from __future__ import annotations

import re
import time
import warnings
from pathlib import Path

import nbformat
import pytest

from coursetools import notebooks
from coursetools.course import REPO
from coursetools.notebooks import BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, END_SOLUTION

from helpers import ASSIGNMENTS


def source_nb(a: str):
    return notebooks.read(REPO.source(a))


def release_path(a: str) -> Path:
    return REPO.release(a)


# A solution notebook runs in <= 30 s in all, so a cell still running after CELL_TIMEOUT has
# stalled: it fails, named, instead of silently eating the suite's budget (one run lost 10 min so).
CELL_TIMEOUT = 180
SLOW_RUN = 90  # s: a run this long is reported with its slowest cells


def run_notebook(nb, cwd: Path, what: str) -> None:
    """Run ``nb`` (raises as notebooks.execute does); a slow run warns with where the time went."""
    start = time.perf_counter()
    try:
        notebooks.execute(nb, cwd=cwd, timeout=CELL_TIMEOUT)
    finally:
        wall = time.perf_counter() - start
        if wall > SLOW_RUN:
            cells = notebooks.cell_seconds(nb)
            slowest = "; ".join(f"cell {i} ({line!r}) {s:.0f} s" for s, i, line in cells[:3])
            warnings.warn(f"{what} took {wall:.0f} s: {slowest}; kernel start, stop and the rest "
                          f"{wall - sum(s for s, _, _ in cells):.0f} s")


def test_problems_exist_and_follow_the_naming_scheme():
    assert ASSIGNMENTS, "no problems found in source/"
    for a in ASSIGNMENTS:
        assert re.fullmatch(r"\d\d-[a-z0-9-]+", a), a
        notebooks_in_folder = list(REPO.source(a).parent.glob("*.ipynb"))
        assert notebooks_in_folder == [REPO.source(a)], "one notebook per problem"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_title_card_shows_where_the_problem_sits_in_gpt2(assignment):
    from coursetools import diagram

    drawn = diagram.svg(assignment[:2])
    assert "<rect" in drawn and 'stroke="#e65100"' in drawn, "the problem's part is highlighted"
    for folder in (REPO.source(assignment).parent, release_path(assignment).parent):
        assert (folder / diagram.FILE).read_text() == drawn, "run `make clean-notebooks` and `make release`"
    assert notebooks.YOU_ARE_HERE in source_nb(assignment).cells[0].source


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_stored_clean_with_python3_kernel(assignment):
    nb = source_nb(assignment)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, "store notebooks without outputs"


def test_grade_ids_unique_across_the_course():
    ids = [notebooks.nbgrader_meta(c)["grade_id"] for a in ASSIGNMENTS for c in source_nb(a).cells
           if notebooks.nbgrader_meta(c)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_test_cell_names_what_it_grades(assignment):
    """The tamper guard checks, per test cell, the components the cell names: a cell that reaches
    them only through a setup helper would give points to an answer that hands in the reference."""
    unnamed = [gid for gid, names in notebooks.graded_components(source_nb(assignment)).items() if not names]
    assert not unnamed, f"{unnamed} name no component of the answer cells (add e.g. `assert callable(name)`)"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_activities_are_tagged_so_that_validate_skips_them(assignment):
    """nbgrader's Validate runs cells with nbclient, which skips the tag; grading skips them too."""
    for nb in (source_nb(assignment), notebooks.read(release_path(assignment))):
        activities = notebooks.activity_cells(nb)
        assert activities, "a problem ends with activities"
        assert all(notebooks.SKIP_TAG in c.metadata.get("tags", []) for c in activities), (
            "run `make clean-notebooks` (it tags the activities) and `make release`")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_learner_copy_shows_its_hidden_points_and_ends_with_the_self_check(assignment):
    release = notebooks.read(release_path(assignment))
    hidden = notebooks.hidden_test_ids(source_nb(assignment))
    for grade_id, cell in notebooks.test_cells(release).items():
        if grade_id in hidden:
            assert notebooks.HIDDEN_NOTICE in cell.source, f"{grade_id}: run `make clean-notebooks`"
    assert release.cells[-1].source == notebooks.SELF_CHECK_CODE, "the last cell is the learner's self-check"
    assert release.cells[-2].source.startswith(notebooks.SELF_CHECK_TITLE)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_nbgrader_metadata(assignment):
    nb, prefix = source_nb(assignment), f"p{assignment[:2]}-"
    answers, tests = notebooks.answer_cells(nb), notebooks.test_cells(nb)
    assert answers, "a problem has at least one answer cell"
    assert tests, "a problem has graded test cells"
    for cell in nb.cells:
        meta = notebooks.nbgrader_meta(cell)
        if meta:
            assert meta["grade_id"].startswith(prefix), meta["grade_id"]
        if BEGIN_SOLUTION in cell.source:
            assert meta.get("solution"), "solution markers only in answer cells"
            assert cell.source.count(BEGIN_SOLUTION) == cell.source.count(END_SOLUTION)
        if BEGIN_HIDDEN in cell.source:
            assert meta.get("grade") and meta.get("locked"), "hidden tests only in locked test cells"
            assert cell.source.count(BEGIN_HIDDEN) == cell.source.count(END_HIDDEN)
    for cell in answers.values():
        assert BEGIN_SOLUTION in cell.source, "answer cells mark their solution"
        assert not cell.metadata.nbgrader.get("locked")
    for cell in tests.values():
        meta = cell.metadata.nbgrader
        assert meta.get("locked"), f"{meta['grade_id']}: test cells are locked"
        assert meta.get("points", 0) > 0, f"{meta['grade_id']}: test cells carry points"
    assert any(BEGIN_HIDDEN in c.source for c in tests.values()), "every problem has hidden tests"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_reveals_no_solution_or_hidden_test(assignment):
    release = notebooks.read(release_path(assignment))
    text = release_path(assignment).read_text()
    assert BEGIN_SOLUTION not in text and BEGIN_HIDDEN not in text
    learner_cells = notebooks.answer_cells(release)
    for grade_id, cell in notebooks.answer_cells(source_nb(assignment)).items():
        assert "raise NotImplementedError()" in learner_cells[grade_id].source
        for block in notebooks.marked_blocks(cell.source, BEGIN_SOLUTION, END_SOLUTION):
            for line in block.splitlines():
                assert not line.strip() or line not in learner_cells[grade_id].source.splitlines(), (
                    f"{grade_id}: solution line leaked into the learner copy: {line!r}")


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_notebook_runs_top_to_bottom(assignment):
    run_notebook(source_nb(assignment), REPO.source(assignment).parent, f"{assignment}'s solution")  # raises on any error


# That the learner copy runs until its first test, which fails with NotImplementedError, is
# checked on the copy graded by nbgrader (tests/test_grading.py): no second kernel per problem.


def test_readme_lists_every_available_problem_with_its_points():
    from coursetools.lab import course_table

    readme = (REPO.root / "README.md").read_text()
    rows = {row["number"]: row for row in course_table()}
    for a in ASSIGNMENTS:
        assert f"release/{a}/{a}.ipynb" in readme, f"README's course table should link {a}"
        points = notebooks.total_points(source_nb(a))
        assert rows[a[:2]]["points"] == points, f"README gives {a} {rows[a[:2]]['points']} points; it has {points}"
        assert rows[a[:2]]["status"] == "available", a
