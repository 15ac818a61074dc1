"""Reading course notebooks and building submissions from them."""
from __future__ import annotations

import ast
import copy
import re
import time
from pathlib import Path

import nbformat

# nbgrader's markers: solutions are stripped from the learner copy, hidden tests kept out of it.
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
SKIP_TAG = "skip-execution"  # nbclient's tag for cells it must not run
SOLUTION_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def marked_blocks(source: str, begin: str, end: str) -> list[str]:
    """The text between each ``begin`` marker line and the next ``end`` marker."""
    return re.findall(re.escape(begin) + r"\n(.*?)" + re.escape(end), source, re.S)


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


# nbgrader's cell kinds, written once: an answer cell is a solution that is not itself graded,
# a test cell is graded code that is not a solution; locked cells are restored when grading.
def is_answer(cell) -> bool:
    meta = nbgrader_meta(cell)
    return bool(meta.get("solution")) and not meta.get("grade")


def is_test(cell) -> bool:
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and not meta.get("solution")


def is_graded(cell) -> bool:
    return bool(nbgrader_meta(cell).get("grade"))


def is_locked(cell) -> bool:
    return bool(nbgrader_meta(cell).get("locked"))


def grade_id(cell) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def answer_cells(nb) -> dict[str, nbformat.NotebookNode]:
    """Answer cells by grade id."""
    return {grade_id(c): c for c in nb.cells if is_answer(c)}


def test_cells(nb) -> dict[str, nbformat.NotebookNode]:
    """Autograded test cells by grade id, in notebook order."""
    return {grade_id(c): c for c in nb.cells if is_test(c)}


def activity_cells(nb) -> list[nbformat.NotebookNode]:
    """The code cells after the last answer or graded cell: the activities, which no grade needs."""
    graded = [i for i, cell in enumerate(nb.cells) if is_graded(cell) or nbgrader_meta(cell).get("solution")]
    return [cell for cell in nb.cells[max(graded, default=len(nb.cells)) + 1:] if cell.cell_type == "code"]


def total_points(nb) -> float:
    """What the notebook's graded test cells are worth together."""
    return sum(cell.metadata.nbgrader["points"] for cell in test_cells(nb).values())


def hidden_test_ids(nb) -> set[str]:
    """Grade ids of the test cells that hold hidden tests."""
    return {gid for gid, cell in test_cells(nb).items() if BEGIN_HIDDEN in cell.source}


def _tree(source: str) -> ast.Module:
    try:
        return ast.parse(source)
    except SyntaxError:
        return ast.Module(body=[], type_ignores=[])


def defined_names(source: str) -> set[str]:
    """Classes and functions a cell defines at its top level."""
    return {node.name for node in _tree(source).body
            if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))}


def used_names(source: str) -> set[str]:
    return {node.id for node in ast.walk(_tree(source)) if isinstance(node, ast.Name)}


def graded_components(nb) -> dict[str, list[str]]:
    """For each test cell, the names it grades: those the answer cells define that its code uses.

    A problem asks for the classes and functions its answer cells define (``Embeddings``, or
    ``NewGELU`` and ``FeedForward``); a test grades the ones it names.
    """
    components = set().union(*[defined_names(c.source) for c in answer_cells(nb).values()])
    return {gid: sorted(components & used_names(c.source)) for gid, c in test_cells(nb).items()}


def strip_solution_markers(source: str) -> str:
    """The instructor's answer as a learner would write it: the code between the markers."""
    return "\n".join(line for line in source.splitlines() if not SOLUTION_MARKER.match(line))


def solution_answers(source_nb) -> dict[str, str]:
    """Every answer cell of the instructor notebook, as a learner who got it right writes it."""
    return {gid: strip_solution_markers(cell.source) for gid, cell in answer_cells(source_nb).items()}


def fill_answers(release_nb, answers: dict[str, str]) -> nbformat.NotebookNode:
    """A copy of the learner notebook with the given answer cells' sources replaced."""
    nb = copy.deepcopy(release_nb)
    cells = answer_cells(nb)
    unknown = set(answers) - set(cells)
    if unknown:
        raise KeyError(f"no answer cell with grade id {sorted(unknown)}; answer cells: {sorted(cells)}")
    for grade_id, source in answers.items():
        cells[grade_id].source = source
    return nb


# Every hidden test cell says, in the learner's copy, that it is graded later and how to run it now.
HIDDEN_NOTICE = ('print("Hidden tests in this cell run when your notebook is graded. To run them now: '
                 'save, then run the last cell of this notebook (Your grade).")')
# Every notebook ends with the learner's self-check.
SELF_CHECK_TITLE = "## Your grade, hidden tests included"
SELF_CHECK_TEXT = SELF_CHECK_TITLE + """

Save the notebook (Ctrl+S, or Cmd+S on a Mac), then run the cell below. It grades the *saved*
notebook exactly as your instructor will, in a fresh kernel, and prints every test with its
points and, for a failing test, the message; the hidden tests' code stays hidden. From a
terminal at the course root: `make grade NB=work/<problem>/<problem>.ipynb`."""
SELF_CHECK_CODE = "from coursetools.selfcheck import check_from_notebook\n\ncheck_from_notebook()"


# The title card shows where the problem sits in GPT-2 (coursetools.diagram draws the file).
YOU_ARE_HERE = "![You are here: the part of GPT-2 this problem builds](you-are-here.svg)"


def add_learner_conventions(nb, assignment: str | None = None) -> None:
    """The "you are here" diagram on the title card, the hidden-test notice in every hidden test
    cell, after the tests the cells that save the learner's parts and switch to them
    (``coursetools.mine``; given the problem's ``assignment`` name), and the self-check cells at
    the end."""
    if assignment is not None:
        _add_your_parts_cells(nb, assignment)
    title = nb.cells[0]
    if title.cell_type == "markdown" and YOU_ARE_HERE not in title.source:
        title.source = title.source.rstrip() + "\n\n" + YOU_ARE_HERE
    for cell in test_cells(nb).values():
        if BEGIN_HIDDEN in cell.source and HIDDEN_NOTICE not in cell.source:
            head, hidden = cell.source.split(BEGIN_HIDDEN, 1)
            cell.source = f"{head}{HIDDEN_NOTICE}\n{BEGIN_HIDDEN}{hidden}"
    if not any(cell.source == SELF_CHECK_CODE for cell in nb.cells):
        nb.cells += [nbformat.v4.new_markdown_cell(SELF_CHECK_TEXT), nbformat.v4.new_code_cell(SELF_CHECK_CODE)]


def _add_your_parts_cells(nb, assignment: str) -> None:
    """After the tests: save this problem's parts (if later problems use them), and the switch to
    the learner's earlier parts (after problem 01)."""
    from . import mine

    if any(cell.source.startswith(mine.YOUR_PARTS_TITLE) for cell in nb.cells):
        return
    saves, switches = assignment in mine.MINE, not assignment.startswith("01-")
    if not (saves or switches):
        return
    text = "\n\n".join([mine.YOUR_PARTS_TITLE] + [mine.SAVE_TEXT] * saves + [mine.SWITCH_TEXT] * switches)
    cells = [nbformat.v4.new_markdown_cell(text)]
    cells += [nbformat.v4.new_code_cell(mine.save_code(assignment))] * saves
    cells += [nbformat.v4.new_code_cell(mine.SWITCH_CODE)] * switches
    last = max(i for i, cell in enumerate(nb.cells) if is_graded(cell) or nbgrader_meta(cell).get("solution"))
    nb.cells[last + 1:last + 1] = cells


def clean(nb, assignment: str | None = None) -> nbformat.NotebookNode:
    """A notebook as the course stores it: no outputs or execution counts, no editor-only
    metadata, the ``python3`` kernelspec, the learner conventions (``add_learner_conventions``),
    and the activities tagged ``skip-execution`` (so that nbgrader's Validate, which runs cells
    with nbclient, runs what grading runs; JupyterLab ignores the tag when the learner runs them)."""
    add_learner_conventions(nb, assignment)
    for cell in activity_cells(nb):
        tags = cell.metadata.setdefault("tags", [])
        if SKIP_TAG not in tags:
            tags.append(SKIP_TAG)
    for cell in nb.cells:
        for key in ("lines_to_next_cell", "jupyter", "collapsed", "scrolled", "execution"):
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("jupytext", None)
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nb.metadata.setdefault("language_info", {"name": "python"})
    nbformat.validator.normalize(nb)
    return nb


def execute(nb, *, cwd: Path, allow_errors: bool = False, timeout: int = 600) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in the python3 kernel, activities included (raises on an
    error unless allowed; ``timeout`` is per cell). The claims its text makes are checked
    (``gpt2.testing.check_claim``)."""
    import os

    from nbclient import NotebookClient

    from gpt2.testing import CHECK_CLAIMS

    import tempfile

    from .mine import WORKSPACE_ENV

    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
                            skip_cells_with_tag="(no cell is skipped)", record_timing=True,
                            resources={"metadata": {"path": str(cwd)}})
    with tempfile.TemporaryDirectory() as saved_parts:  # the save cell writes here, not beside the course
        return client.execute(env={**os.environ, CHECK_CLAIMS: "1", WORKSPACE_ENV: saved_parts})


def cell_seconds(nb) -> list[tuple[float, int, str]]:
    """(seconds, index, first line) of every executed code cell, slowest first, from the timing
    nbclient records in each cell's metadata."""
    from datetime import datetime

    timed = []
    for index, cell in enumerate(nb.cells):
        stamps = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in stamps and "shell.execute_reply" in stamps:
            start, end = (datetime.fromisoformat(stamps[k].replace("Z", "+00:00"))
                          for k in ("iopub.execute_input", "shell.execute_reply"))
            timed.append(((end - start).total_seconds(), index, cell.source.split("\n", 1)[0][:70]))
    return sorted(timed, reverse=True)


def run_timed(path: Path) -> float:
    """Wall seconds to run a notebook top to bottom, kernel start included."""
    import nbclient  # noqa: F401 (what execute imports in this process, torch included, is not the notebook's time)

    import gpt2.testing  # noqa: F401

    from . import mine  # noqa: F401

    start = time.perf_counter()
    execute(read(path), cwd=path.parent)
    return time.perf_counter() - start
