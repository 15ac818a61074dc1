"""nbgrader preprocessors the course adds to autograding (configured in nbgrader_config.py)."""
from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Integer

from . import notebooks
from .course import Course
from .gradingrun import GradingRun, prepare_shared_checkpoints
from .notebooks import BEGIN_HIDDEN, END_HIDDEN, SKIP_TAG
from .sandbox import SandboxedKernelManager


def course_notebook(resources, directory: str):
    """The course's own copy (``source`` or ``release``) of the notebook being graded, if present."""
    meta = resources.get("nbgrader", {})
    course, assignment = Course(Path(os.getcwd())), meta.get("assignment", "")
    path = getattr(course, directory)(assignment).with_name(f"{meta.get('notebook', '')}.ipynb")
    return notebooks.read(path) if path.is_file() else None


class RestoreCellOrder(NbGraderPreprocessor):
    """Put the graded and read-only cells back in the order of the released notebook.

    A learner who drags a test above the answer it tests (or reverses a notebook) would
    otherwise lose points to NameErrors that say nothing about their code. Cells the learner
    added stay just after the course cell they followed.
    """

    def preprocess(self, nb, resources):
        release = course_notebook(resources, "release")
        if release is None:
            return nb, resources
        rank = {notebooks.grade_id(c): i for i, c in enumerate(release.cells)}
        rank.pop(None, None)
        keys, anchor = [], -1
        for position, cell in enumerate(nb.cells):
            grade_id = notebooks.grade_id(cell)
            if grade_id in rank:
                anchor = rank[grade_id]
                keys.append((anchor, 0, position))
            else:
                keys.append((anchor, 1, position))
        nb.cells = [cell for _, cell in sorted(zip(keys, nb.cells), key=lambda pair: pair[0])]
        return nb, resources


class SkipActivities(NbGraderPreprocessor):
    """Do not execute the code cells after the last answer or test cell.

    Those cells are the notebook's activities (plots, widgets, small training runs): they can
    change no grade, since every test has already run, but they are most of a notebook's run
    time. Skipping them makes a batch several times faster.
    """

    def preprocess(self, nb, resources):
        for cell in notebooks.activity_cells(nb):
            tags = cell.metadata.setdefault("tags", [])
            if SKIP_TAG not in tags:
                tags.append(SKIP_TAG)
        return nb, resources


class HideHiddenTests(NbGraderPreprocessor):
    """Keep hidden tests out of learner feedback.

    nbgrader's feedback is the autograded notebook as HTML, hidden tests included verbatim
    (jupyter/nbgrader#917), and a traceback quotes the code around the failing line. In every
    test cell this replaces each hidden region by a one-line placeholder and cuts each traceback
    to its last line, ``ErrorName: message``: the messages are written for learners and say what
    was expected and what was seen. Any output, in any cell, that quotes a line of hidden test
    code (a learner's hook printing the cells it sees, say) is withheld too.
    """

    begin, end = BEGIN_HIDDEN, END_HIDDEN
    placeholder = "# [hidden test: its code is not shown; the message below says what it checked]"
    withheld = "[output withheld: it quoted hidden test code]"

    def preprocess(self, nb, resources):
        self._hidden_lines = {
            line.strip() for cell in nb.cells if cell.cell_type == "code"
            for block in notebooks.marked_blocks(cell.source, self.begin, self.end)
            for line in block.splitlines() if len(line.strip()) >= 12}
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if notebooks.is_graded(cell):
            self._hide_code(cell)
        for output in cell.get("outputs", []):
            if self._quotes_hidden_code(output):
                output.clear()
                output.update(nbformat.v4.new_output("stream", name="stdout", text=self.withheld))
        return cell, resources

    def _hide_code(self, cell) -> None:
        kept, hidden = [], False
        for line in cell.source.splitlines():
            if line.strip() == self.begin:
                hidden = True
                kept.append(line[: len(line) - len(line.lstrip())] + self.placeholder)
            elif line.strip() == self.end:
                hidden = False
            elif not hidden:
                kept.append(line)
        cell.source = "\n".join(kept)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [f"{output['ename']}: {output['evalue']}"]

    def _quotes_hidden_code(self, output) -> bool:
        text = str(output.get("text", "")) + str(output.get("data", "")) + str(output.get("evalue", "")) \
            + "".join(output.get("traceback", []))
        return any(line in text for line in self._hidden_lines)


class GuardedExecute(Execute):
    """nbgrader's Execute, made to survive and see through what a class of real learners submits.

    Each kernel runs in the sandbox with resource limits (``coursetools.sandbox``), and the cells
    run under the course's grading rules (``coursetools.gradingrun``): a whole-notebook time
    budget, a dead kernel costing only the cells it did not run, memory errors named as such,
    and the tamper guard asked after every test cell.
    """

    notebook_timeout = Integer(
        600, help="Seconds for all the cells of one notebook together; 0 for no limit."
    ).tag(config=True)

    def __init__(self, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(**kwargs)

    def preprocess(self, nb, resources=None, km=None):
        self._shared_checkpoints = prepare_shared_checkpoints(nb)
        course_nb = course_notebook(resources or {}, "source") or course_notebook(resources or {}, "release") or nb
        self._run = GradingRun(nb, course_nb, self._kernel_run, cell_timeout=self.timeout,
                               notebook_timeout=self.notebook_timeout,
                               memory_limit_mb=0,  # known once the kernel has started
                               clock=time.monotonic)
        return super().preprocess(nb, resources, km)

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        if isinstance(km, SandboxedKernelManager):
            km.readable_paths = list(getattr(self, "_shared_checkpoints", []))
        return km

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or SKIP_TAG in cell.metadata.get("tags", []):
            return super().preprocess_cell(cell, resources, index)
        self._run.memory_limit_mb = getattr(self.km, "memory_limit_mb", 0)
        if not self._run.before_cell(cell):
            return cell, self.resources
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._run.kernel_died(cell, index)
            return cell, self.resources
        except CellTimeoutError:  # the kernel did not even answer the interrupt
            self._run.kernel_unresponsive(cell, index)
            return cell, self.resources
        self._run.after_cell(cell)
        return cell, resources

    def _kernel_run(self, code: str, expression: str | None = None) -> str | None:
        """Run ``code`` silently in the kernel; the repr of ``expression`` ("ok" without one), or
        None if it failed."""
        try:
            reply = run_sync(self.kc.execute_interactive)(
                code, silent=True, store_history=False, allow_stdin=False, timeout=60,
                user_expressions={"value": expression} if expression else {}, output_hook=lambda msg: None)
        except Exception:  # a dead or unresponsive kernel: the caller reports what could not be checked
            return None
        content = reply["content"]
        if content.get("status") != "ok":
            return None
        if expression is None:
            return "ok"
        value = content.get("user_expressions", {}).get("value", {})
        return value["data"]["text/plain"] if value.get("status") == "ok" else None
