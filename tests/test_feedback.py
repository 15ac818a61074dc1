"""Feedback tells learners which test failed and why, and never shows a hidden test's code."""
from __future__ import annotations

import html
import re

import pytest

from coursetools import cohort, notebooks
from coursetools.nbgrader_cli import nbgrader

from conftest import xdist_group

ASSIGNMENTS = cohort.assignments()


def visible_text(page: str) -> str:
    """What a reader of the HTML sees (syntax highlighting splits code into many tags)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def hidden_test_lines(assignment: str) -> list[str]:
    """Lines of hidden tests that appear nowhere in the learner's copy."""
    source = notebooks.read(cohort.REPO / "source" / assignment / f"{assignment}.ipynb")
    release = notebooks.read(cohort.REPO / "release" / assignment / f"{assignment}.ipynb")
    public = {line.strip() for cell in release.cells for line in cell.source.splitlines()}
    lines = []
    for cell in notebooks.test_cells(source).values():
        for block in notebooks.marked_blocks(cell.source, notebooks.BEGIN_HIDDEN, notebooks.END_HIDDEN):
            lines += [line.strip() for line in block.splitlines()
                      if len(line.strip()) > 12 and line.strip() not in public]
    return lines


def leaked_hidden_lines(course, student: str, assignment: str) -> list[str]:
    """Hidden test lines that the learner's feedback page shows and their own code does not hold."""
    page = (course / "feedback" / student / assignment / f"{assignment}.html").read_text()
    shown = {line.strip() for line in visible_text(page).splitlines()}
    submitted = notebooks.read(course / "submitted" / student / assignment / f"{assignment}.ipynb")
    own = {line.strip() for cell in submitted.cells for line in cell.source.splitlines()}
    return [line for line in hidden_test_lines(assignment) if line in shown and line not in own]


@pytest.mark.slow
@pytest.mark.parametrize("assignment", [pytest.param(a, marks=xdist_group(a)) for a in ASSIGNMENTS])
def test_feedback_explains_failures_without_revealing_hidden_tests(graded_course, assignment):
    course, results = graded_course(assignment)
    nbgrader("generate_feedback", assignment, "--force", cwd=course, quiet=True)
    assert hidden_test_lines(assignment), "the problem has hidden tests to protect"
    for student, result in results.items():
        page = (course / "feedback" / student / assignment / f"{assignment}.html").read_text()
        leaked = leaked_hidden_lines(course, student, assignment)
        assert not leaked, f"{student}'s feedback shows hidden test code: {leaked[:3]}"
        for cell in result.cells.values():
            if cell.message:  # the reason a test failed reaches the learner
                assert cell.message.splitlines()[0][:80] in visible_text(page), (student, cell.grade_id)
