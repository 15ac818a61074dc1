"""A batch survives stuck, crashing and mangled submissions (through real nbgrader)."""
from __future__ import annotations

import copy

import pytest

from coursetools import cohort, notebooks

A = "01-embeddings"
ANSWER = "p01-embeddings"


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """One autograde run over a class with a stuck, a crashing and several mangled notebooks."""
    course = cohort.new_course(tmp_path_factory.mktemp("robust"), [A])
    with open(course / "nbgrader_config.py", "a") as config:  # short limits keep the test quick
        config.write("\nc.ExecutePreprocessor.timeout = 5\nc.GuardedExecute.notebook_timeout = 15\n")
    solution = cohort.standard_submissions(course, A)["solution"]
    good = cohort.solution_answers(notebooks.read(course / "source" / A / f"{A}.ipynb"))[ANSWER]
    release = notebooks.read(course / "release" / A / f"{A}.ipynb")

    def answered(source):
        return notebooks.fill_answers(release, {ANSWER: source})

    def without(grade_id):
        nb = copy.deepcopy(solution)
        nb.cells = [c for c in nb.cells if notebooks.nbgrader_meta(c).get("grade_id") != grade_id]
        return nb

    def mangled(grade_id, change):
        nb = copy.deepcopy(solution)
        for cell in nb.cells:
            if notebooks.nbgrader_meta(cell).get("grade_id") == grade_id:
                change(cell)
        return nb

    def to_markdown(cell):
        cell.cell_type = "markdown"
        cell.pop("outputs", None), cell.pop("execution_count", None)

    wrong_kernel = copy.deepcopy(solution)
    wrong_kernel.metadata["kernelspec"] = {"name": "julia-1.9", "display_name": "Julia", "language": "julia"}
    submissions = {
        "solution": solution,
        "stuck": answered(good.replace("        positions = torch.arange", "        while True:\n            pass\n        positions = torch.arange")),
        "crash": answered(good.replace("        positions = torch.arange", "        import os; os._exit(1)\n        positions = torch.arange")),
        "deleted_test": without("p01-test-output-shape"),
        "emptied_test": mangled("p01-test-position-added", lambda c: c.update(source="")),
        "markdown_test": mangled("p01-test-different-tokens", to_markdown),
        "wrong_kernel": wrong_kernel,
        "deleted_answer": without(ANSWER),
    }
    for student, nb in submissions.items():
        cohort.submit(course, A, student, nb)
    unreadable = course / "submitted" / "invalid_json" / A / f"{A}.ipynb"
    unreadable.parent.mkdir(parents=True)
    unreadable.write_text('{"cells": [')  # truncated upload
    return cohort.autograde(course, A)


@pytest.mark.slow
@pytest.mark.parametrize("student", ["solution", "deleted_test", "emptied_test", "markdown_test", "wrong_kernel"])
def test_mangled_test_cells_are_restored_and_graded(batch, student):
    result = batch[student][0]
    assert (result.score, result.needs_manual_grade) == (result.max_score, False)


@pytest.mark.slow
def test_a_stuck_notebook_stops_at_its_time_budget(batch):
    result = batch["stuck"][0]
    assert result.score == 0 and not result.needs_manual_grade
    messages = [c.message for c in result.cells.values()]
    assert any(m.startswith("CellTimeoutError: this cell ran longer than") for m in messages)
    assert any(m.startswith("NotebookTimeout: the notebook used up its time budget") for m in messages)


@pytest.mark.slow
def test_a_dead_kernel_zeroes_only_what_did_not_run(batch):
    result = batch["crash"][0]
    assert result.score == 0 and not result.needs_manual_grade
    assert all(c.message.startswith("KernelDied") for c in result.cells.values())


@pytest.mark.slow
def test_a_deleted_answer_cell_scores_zero_without_manual_grading(batch):
    result = batch["deleted_answer"][0]
    assert result.score == 0 and not result.needs_manual_grade


@pytest.mark.slow
def test_an_unreadable_notebook_scores_zero_with_a_reason(batch):
    result = batch["invalid_json"][0]
    assert result.score == 0 and not result.needs_manual_grade
    assert result.cells, "every test is still graded (as failing)"
