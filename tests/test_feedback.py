"""Feedback tells learners which test failed and why, and never shows a hidden test's code."""
from __future__ import annotations

import pytest

from coursetools.nbgrader_cli import nbgrader

from helpers import hidden_test_lines, leaked_hidden_lines, per_problem, visible_text


@pytest.mark.slow
@pytest.mark.parametrize("assignment", per_problem())
def test_feedback_explains_failures_without_revealing_hidden_tests(graded_catalogue, assignment):
    graded = graded_catalogue(assignment)
    course = graded.course
    nbgrader("generate_feedback", assignment, "--force", cwd=course.root, quiet=True)
    assert hidden_test_lines(assignment), "the problem has hidden tests to protect"
    assert graded.nbgrader, "some submissions went through nbgrader"
    for student, result in graded.nbgrader.items():
        page = course.feedback(student, assignment).read_text()
        leaked = leaked_hidden_lines(course, student, assignment)
        assert not leaked, f"{student}'s feedback shows hidden test code: {leaked[:3]}"
        for cell in result.cells.values():
            if cell.message:  # the reason a test failed reaches the learner
                assert cell.message.splitlines()[0][:80] in visible_text(page), (student, cell.grade_id)
        # Offline, MathJax (from a CDN) does not load and the maths stays as its TeX source: readable.
        for formula in _formulas(course.release(assignment))[:5]:
            assert formula in visible_text(page), f"{student}'s feedback lost the formula {formula!r}"


def _formulas(notebook) -> list[str]:
    """Inline $...$ formulas of the notebook's markdown."""
    import re

    from coursetools import notebooks

    inline = [m for cell in notebooks.read(notebook).cells if cell.cell_type == "markdown"
              for m in re.findall(r"\$([^$\n]+)\$", re.sub(r"\$\$.*?\$\$", "", cell.source, flags=re.S))]
    return [m for m in inline if 3 <= len(m) <= 60]
