"""nbgrader preprocessors the course adds to autograding (configured in nbgrader_config.py)."""
from __future__ import annotations

import ast
import json
import os
import time
import uuid
from pathlib import Path

import nbformat
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Integer

from . import notebooks
from .notebooks import BEGIN_HIDDEN, END_HIDDEN
from .sandbox import SandboxedKernelManager

TAMPERING = "TamperingDetected"  # the error name that flags a submission in grade reports

SKIP_TAG = "skip-execution"  # nbclient's tag for cells it must not run


def course_notebook(resources, directory: str):
    """The course's own copy (``source`` or ``release``) of the notebook being graded, if present."""
    meta = resources.get("nbgrader", {})
    path = Path(os.getcwd()) / directory / meta.get("assignment", "") / f"{meta.get('notebook', '')}.ipynb"
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
        rank = {notebooks.nbgrader_meta(c).get("grade_id"): i for i, c in enumerate(release.cells)}
        rank.pop(None, None)
        keys, anchor = [], -1
        for position, cell in enumerate(nb.cells):
            grade_id = notebooks.nbgrader_meta(cell).get("grade_id")
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
        if notebooks.nbgrader_meta(cell).get("grade"):
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

    - Each kernel runs in the sandbox with resource limits (``coursetools.sandbox``).
    - A whole-notebook time budget on top of the per-cell timeout: once it is spent, the
      remaining cells are not run and score 0 with a message saying so.
    - A kernel that dies (``os._exit``, a segfault) no longer aborts the notebook with "needs
      manual grade": the cells that ran keep their grades, the rest score 0 with a message.
    - Running out of memory is reported as such, with the limit.
    - Tampering (``coursetools.kernel_guard``): after each test cell the guard reports what the
      notebook replaced and whether the learner's component is the reference one; such a test
      scores 0 with a ``TamperingDetected`` error naming the reason, which grade reports list.
    """

    notebook_timeout = Integer(
        600, help="Seconds for all the cells of one notebook together; 0 for no limit."
    ).tag(config=True)

    def __init__(self, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(**kwargs)

    def preprocess(self, nb, resources=None, km=None):
        self._started, self._stopped_because = time.monotonic(), None
        course_nb = course_notebook(resources or {}, "source") or course_notebook(resources or {}, "release") or nb
        self._grades = notebooks.graded_components(course_nb)
        self._guard, self._changed = None, []
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
        meta = notebooks.nbgrader_meta(cell)
        if self._guard is None:
            self._install_guard()
        elif not meta.get("locked") and not self._guard.get("setup_done"):
            self._guard["setup_done"] = self._guard_call("setup_done()") is not None
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            _record_error(cell, "KernelDied", "the Python kernel died while running this cell "
                          "(os._exit, a crash, or the memory limit)")
            self._stopped_because = ("KernelDied", f"the kernel died in cell {index}; this cell did not run")
            return cell, self.resources
        except CellTimeoutError:  # the kernel did not even answer the interrupt
            _record_error(cell, "CellTimeoutError", f"this cell ran longer than {self.timeout} s and the "
                          "kernel stopped answering")
            self._stopped_because = ("KernelUnresponsive", f"the kernel stopped answering in cell {index}; "
                                     "this cell did not run")
            return cell, self.resources
        self._explain_errors(cell)
        if meta.get("grade") and not meta.get("solution"):
            self._check_tampering(cell, self._grades.get(meta.get("grade_id"), []))
        return cell, resources

    def _explain_errors(self, cell) -> None:
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            if output.get("ename") == "CellTimeoutError":  # nbclient leaves its message empty
                output["evalue"] = output.get("evalue") or f"this cell ran longer than {self.timeout} s and was stopped"
            elif output.get("ename") == "MemoryError" or "can't allocate memory" in output.get("evalue", ""):
                output["ename"] = "MemoryError"
                output["evalue"] = (f"this cell needed more memory than the {self.km.memory_limit_mb} MiB "
                                    f"a notebook may use ({output.get('evalue') or 'MemoryError'})")[:600]

    # The tamper guard lives in the kernel under a name the learner's code cannot know in advance.
    def _install_guard(self) -> None:
        learner_sources = [c.source for c in self.nb.cells if c.cell_type == "code"
                           and not notebooks.nbgrader_meta(c).get("locked")
                           and SKIP_TAG not in c.metadata.get("tags", [])]
        components = sorted(set().union(*self._grades.values()))
        name = f"_guard_{uuid.uuid4().hex}"
        code = (Path(__file__).with_name("kernel_guard.py").read_text()
                + f"\ninstall({name!r}, {learner_sources!r}, {components!r})\n")
        reply = self._kernel_run(f"exec(compile({code!r}, '<grader>', 'exec'), {{'__name__': {name!r}}})")
        self._guard = {"name": name, "ok": reply is not None}

    def _guard_call(self, call: str):
        if not self._guard.get("ok"):
            return None
        return self._kernel_run("pass", f"__import__('sys').modules[{self._guard['name']!r}].{call}")

    def _kernel_run(self, code: str, expression: str | None = None):
        """Run ``code`` silently in the kernel; the value of ``expression``, or None if it failed."""
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
        if value.get("status") != "ok":
            return None
        return ast.literal_eval(value["data"]["text/plain"])

    def _check_tampering(self, cell, components: list[str]) -> None:
        report = self._guard_call(f"check({components!r})")
        if report is None:
            if self._stopped_because is None:
                reasons = ["the grader could not check this notebook for tampering after this test "
                           "(the kernel did not answer, or the check was interfered with)"]
            else:
                return
        else:
            report = json.loads(report)
            self._changed = self._changed or report["changed"]
            reasons = [r for name in components for r in report["violations"].get(name, [])]
            if self._changed:
                shown = ", ".join(self._changed[:4]) + (" ..." if len(self._changed) > 4 else "")
                reasons.append(f"the notebook replaced {shown}, which the tests rely on; no test after "
                               "that can be trusted")
        if reasons:
            _record_error(cell, TAMPERING, "; ".join(reasons) + ". This test scores 0.")


def _record_error(cell, ename: str, evalue: str) -> None:
    cell.outputs = list(cell.get("outputs", [])) + [nbformat.v4.new_output(
        "error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])]
