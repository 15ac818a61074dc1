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


def test_the_notebook_s_last_cell_tells_unsaved_changes_apart():
    from coursetools import notebooks
    from coursetools.course import REPO
    from coursetools.selfcheck import unsaved_answers

    saved = catalogue.standard_submissions(REPO, A)["solution"]
    answer = notebooks.answer_cells(saved)["p01-embeddings"].source
    assert unsaved_answers(saved, ["import torch", answer]) == []
    assert unsaved_answers(saved, []) == []  # nothing run yet in this kernel: nothing to compare
    edited = answer.replace("self.drop(", "(")
    assert unsaved_answers(saved, [answer, edited]) == ["p01-embeddings"]  # ran an edit, not saved
    assert unsaved_answers(saved, [edited, answer]) == []


def test_outside_jupyterlab_the_last_cell_only_says_how_to_grade(monkeypatch, capsys):
    from coursetools.selfcheck import check_from_notebook

    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)  # nbclient, Validate, grading
    check_from_notebook()
    assert "Run this cell in JupyterLab" in capsys.readouterr().out


@pytest.mark.slow
def test_the_notebook_s_last_cell_grades_the_saved_notebook(tmp_path, monkeypatch, capsys):
    """As JupyterLab runs it: the kernel knows its notebook from JPY_SESSION_NAME."""
    from coursetools.course import REPO
    from coursetools.selfcheck import check_from_notebook

    mine = tmp_path / A / f"{A}.ipynb"
    mine.parent.mkdir()
    nbformat.write(catalogue.standard_submissions(REPO, A)["solution"], str(mine))
    monkeypatch.setenv("JPY_SESSION_NAME", str(mine))
    check_from_notebook()
    out = capsys.readouterr().out
    assert f"{A}: 10 / 10 points" in out and "PASS  p01-hidden-reference (hidden)" in out
