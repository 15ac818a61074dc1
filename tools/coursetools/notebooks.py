"""Reading course notebooks and building submissions from them."""
from __future__ import annotations

import ast
import copy
import re
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

# nbgrader's markers: solutions are stripped from the learner copy, hidden tests kept out of it.
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
SOLUTION_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def marked_blocks(source: str, begin: str, end: str) -> list[str]:
    """The text between each ``begin`` marker line and the next ``end`` marker."""
    return re.findall(re.escape(begin) + r"\n(.*?)" + re.escape(end), source, re.S)


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def answer_cells(nb) -> dict[str, nbformat.NotebookNode]:
    """Answer cells (``solution: true``, not graded) by grade id."""
    return {nbgrader_meta(c)["grade_id"]: c for c in nb.cells
            if nbgrader_meta(c).get("solution") and not nbgrader_meta(c).get("grade")}


def test_cells(nb) -> dict[str, nbformat.NotebookNode]:
    """Autograded test cells by grade id, in notebook order."""
    return {nbgrader_meta(c)["grade_id"]: c for c in nb.cells
            if nbgrader_meta(c).get("grade") and not nbgrader_meta(c).get("solution")}


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


@dataclass(frozen=True)
class Case:
    """One catalogued submission: an answer cell rewritten, with what grading should say.

    File format (``tests/submissions/<assignment>/{mutants,variants}/<name>.py``): header comment
    lines ``# cell: <grade id of the answer cell it replaces>`` and, for mutants, one or more
    ``# expect: <text the feedback must contain>``; the rest of the file is the cell's source.
    """

    name: str
    kind: str  # "mutant" (a realistic bug) or "variant" (correct, written differently)
    cell: str
    source: str
    expect: tuple[str, ...] = ()

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


def catalogue(directory: Path) -> list[Case]:
    """All mutants and variants stored for one assignment."""
    return [Case.from_file(p) for kind in ("mutants", "variants")
            for p in sorted((directory / kind).glob("*.py"))]


def clean(nb) -> nbformat.NotebookNode:
    """A notebook as the course stores it: no outputs or execution counts, no editor-only
    metadata, the ``python3`` kernelspec."""
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
    """Run a notebook top to bottom in the python3 kernel (raises on an error unless allowed)."""
    from nbclient import NotebookClient

    return NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
                          resources={"metadata": {"path": str(cwd)}}).execute()


def run_timed(path: Path) -> float:
    """Wall seconds to run a notebook top to bottom, kernel start included."""
    start = time.perf_counter()
    execute(read(path), cwd=path.parent)
    return time.perf_counter() - start
