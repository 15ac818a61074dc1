"""`make grade NB=...`: a self-paced learner grades their own notebook, hidden tests included."""
from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest

from coursetools import catalogue
from coursetools.course import new_course

A = "01-embeddings"


@pytest.mark.slow
def test_self_check_reports_each_test_without_showing_hidden_code(tmp_path):
    course = new_course(tmp_path / "course", [A])
    case = next(c for c in catalogue.cases(A) if c.name == "positions_from_one")
    mine = tmp_path / "mine" / f"{A}.ipynb"
    mine.parent.mkdir()
    nbformat.write(catalogue.case_submission(course, A, case), str(mine))

    out = subprocess.run([sys.executable, "-m", "coursetools", "grade", str(mine)],
                         capture_output=True, text=True, check=True).stdout

    assert f"{A}: 3 / 10 points" in out
    assert "PASS  p01-test-output-shape" in out
    assert "FAIL  p01-hidden-reference (hidden)" in out
    assert "positions are counted from 1 instead of 0" in out  # the hidden test's message
    assert "likely_mistakes" not in out and "check_against_reference" not in out  # not its code
