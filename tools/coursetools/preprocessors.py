"""nbgrader preprocessors the course adds to autograding (configured in nbgrader_config.py)."""
from __future__ import annotations

import time

import nbformat
from nbclient.exceptions import DeadKernelError
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Integer

from .notebooks import BEGIN_HIDDEN, END_HIDDEN

SKIP_TAG = "skip-execution"  # nbclient's tag for cells it must not run


class SkipActivities(NbGraderPreprocessor):
    """Do not execute the code cells after the last answer or test cell.

    Those cells are the notebook's activities (plots, widgets, small training runs): they can
    change no grade, since every test has already run, but they are most of a notebook's run
    time. Skipping them makes a batch several times faster.
    """

    def preprocess(self, nb, resources):
        graded = [i for i, cell in enumerate(nb.cells)
                  if cell.metadata.get("nbgrader", {}).get("grade")
                  or cell.metadata.get("nbgrader", {}).get("solution")]
        for cell in nb.cells[max(graded, default=len(nb.cells)) + 1:]:
            if cell.cell_type == "code":
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
    was expected and what was seen.
    """

    begin, end = BEGIN_HIDDEN, END_HIDDEN
    placeholder = "# [hidden test: its code is not shown; the message below says what it checked]"

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade"):
            return cell, resources
        lines, kept, hidden = cell.source.splitlines(), [], False
        for line in lines:
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
        return cell, resources


class GuardedExecute(Execute):
    """nbgrader's Execute, made to survive what a class of real learners submits.

    - A whole-notebook time budget on top of the per-cell timeout: once it is spent, the
      remaining cells are not run and score 0 with a message saying so.
    - A kernel that dies (``os._exit``, a segfault, the memory limit) no longer aborts the
      notebook with "needs manual grade": the cells that ran keep their grades, the rest
      score 0 with a message saying the kernel died.
    """

    notebook_timeout = Integer(
        600, help="Seconds for all the cells of one notebook together; 0 for no limit."
    ).tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._started, self._stopped_because = time.monotonic(), None
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or SKIP_TAG in cell.metadata.get("tags", []):
            return super().preprocess_cell(cell, resources, index)
        spent = time.monotonic() - self._started
        if self._stopped_because is None and self.notebook_timeout and spent > self.notebook_timeout:
            self._stopped_because = (
                "NotebookTimeout", f"the notebook used up its time budget of {self.notebook_timeout} s "
                "before this cell; it was not run. Look for a loop that never ends or a very slow cell.")
        if self._stopped_because is not None:
            _record_error(cell, *self._stopped_because)
            return cell, self.resources
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            _record_error(cell, "KernelDied", "the Python kernel died while running this cell "
                          "(os._exit, a crash, or the memory limit)")
            self._stopped_because = ("KernelDied", f"the kernel died in cell {index}; this cell did not run")
            return cell, self.resources
        for output in cell.get("outputs", []):  # nbclient leaves a timed-out cell's message empty
            if output.get("output_type") == "error" and output.get("ename") == "CellTimeoutError":
                output["evalue"] = output.get("evalue") or (
                    f"this cell ran longer than {self.timeout} s and was stopped")
        return cell, resources


def _record_error(cell, ename: str, evalue: str) -> None:
    cell.outputs = list(cell.get("outputs", [])) + [nbformat.v4.new_output(
        "error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])]
