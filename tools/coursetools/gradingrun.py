"""The course's rules for running one notebook for a grade, whoever runs its cells.

``GuardedExecute`` (real nbgrader, one kernel per notebook) and ``warm`` (the catalogue, many
notebooks in one warm process) both run cells through a ``GradingRun``, so both apply the same
rules in the same order:

- a whole-notebook time budget on top of the per-cell timeout: once it is spent, the remaining
  cells are not run and score 0 with a message saying so;
- a kernel that dies or stops answering costs only the cells it did not run;
- running out of memory is reported as such, with the limit;
- the tamper guard (``kernel_guard.py``) is installed before the first cell, told when the setup
  cells are done, and asked after every test cell; a test it flags scores 0 with a
  ``TamperingDetected`` error naming the reason.

``evaluate(code, expression)`` runs ``code`` silently where the notebook runs and returns the
``repr`` of ``expression`` evaluated there (or "ok" without one), or None if that failed.
"""
from __future__ import annotations

import ast
import functools
import json
import logging
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Callable

import nbformat

from . import notebooks
from .results import TAMPERING

Evaluate = Callable[[str, "str | None"], "str | None"]


def record_error(cell, ename: str, evalue: str) -> None:
    cell.outputs = list(cell.get("outputs", [])) + [nbformat.v4.new_output(
        "error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])]


SHARED_CHECKPOINT_CALL = re.compile(r"""shared_checkpoint\(\s*["']([\w.-]+)["']""")


def prepare_shared_checkpoints(nb) -> list[str]:
    """Write the shared checkpoints the notebook's locked cells ask for (``shared_checkpoint("gpt2")``,
    see ``gpt2.testing``) before its kernel starts, and return their directories, which the
    sandbox shows read-only. Written once per machine, they cost each graded notebook only a read.
    Only locked cells count: they come from the course, whatever the learner handed in."""
    names = sorted({name for cell in nb.cells if cell.cell_type == "code" and notebooks.is_locked(cell)
                    for name in SHARED_CHECKPOINT_CALL.findall(cell.source)})
    return [path for path in map(_shared_checkpoint_dir, names) if path]


@functools.lru_cache(maxsize=None)
def _shared_checkpoint_dir(name: str) -> str:
    """Its directory, written if need be, in a process of its own: the grader stays free of torch, and
    a process that forks notebooks (coursetools.warm) must not have run torch's thread pools (a
    forked child would hang on their locks). "" if it cannot be written: each kernel then writes
    a private copy."""
    code = f"from gpt2.testing import shared_checkpoint; print(shared_checkpoint({name!r}).path)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode != 0:
        logging.getLogger(__name__).warning("could not write the shared checkpoint %r:\n%s", name, done.stderr)
        return ""
    return done.stdout.strip().splitlines()[-1]


class GradingRun:
    def __init__(self, nb, course_nb, evaluate: Evaluate, *, cell_timeout: int, notebook_timeout: int,
                 memory_limit_mb: int, clock: Callable[[], float]):
        self.nb, self.evaluate, self.clock = nb, evaluate, clock
        self.cell_timeout, self.notebook_timeout, self.memory_limit_mb = cell_timeout, notebook_timeout, memory_limit_mb
        self.components = notebooks.graded_components(course_nb)
        self.started, self.stopped_because = clock(), None
        self.guard, self.changed = None, []

    # --- before and after each code cell that runs -----------------------------------------------
    def before_cell(self, cell) -> bool:
        """Whether to run ``cell``; when not, its error output says why."""
        spent = self.clock() - self.started
        if self.stopped_because is None and self.notebook_timeout and spent > self.notebook_timeout:
            self.stopped_because = (
                "NotebookTimeout", f"the notebook used up its time budget of {self.notebook_timeout} s "
                "before this cell; it was not run. Look for a loop that never ends or a very slow cell.")
        if self.stopped_because is not None:
            record_error(cell, *self.stopped_because)
            return False
        if self.guard is None:
            self._install_guard()
        elif not notebooks.is_locked(cell) and not self.guard.get("setup_done"):
            self.guard["setup_done"] = self._guard_call("setup_done()") is not None
        return True

    def after_cell(self, cell) -> None:
        self._explain_errors(cell)
        if notebooks.is_test(cell):
            self._check_tampering(cell, self.components.get(notebooks.grade_id(cell), []))

    def kernel_died(self, cell, index: int) -> None:
        record_error(cell, "KernelDied", "the Python kernel died while running this cell "
                     "(os._exit, a crash, or the memory limit)")
        self.stopped_because = ("KernelDied", f"the kernel died in cell {index}; this cell did not run")

    def kernel_unresponsive(self, cell, index: int) -> None:
        record_error(cell, "CellTimeoutError", f"this cell ran longer than {self.cell_timeout} s and the "
                     "kernel stopped answering")
        self.stopped_because = ("KernelUnresponsive", f"the kernel stopped answering in cell {index}; "
                                "this cell did not run")

    def _explain_errors(self, cell) -> None:
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            if output.get("ename") == "CellTimeoutError":  # nbclient leaves its message empty
                output["evalue"] = output.get("evalue") or f"this cell ran longer than {self.cell_timeout} s and was stopped"
            elif output.get("ename") == "MemoryError" or "can't allocate memory" in output.get("evalue", ""):
                output["ename"] = "MemoryError"
                output["evalue"] = (f"this cell needed more memory than the {self.memory_limit_mb} MiB "
                                    f"a notebook may use ({output.get('evalue') or 'MemoryError'})")[:600]

    # --- the tamper guard, under a name the learner's code cannot know in advance -----------------
    def _install_guard(self) -> None:
        learner_sources = [c.source for c in self.nb.cells if c.cell_type == "code" and not notebooks.is_locked(c)
                           and notebooks.SKIP_TAG not in c.metadata.get("tags", [])]
        components = sorted(set().union(*self.components.values()))
        name = f"_guard_{uuid.uuid4().hex}"
        code = (Path(__file__).with_name("kernel_guard.py").read_text()
                + f"\ninstall({name!r}, {learner_sources!r}, {components!r})\n")
        reply = self.evaluate(f"exec(compile({code!r}, '<grader>', 'exec'), {{'__name__': {name!r}}})", None)
        self.guard = {"name": name, "ok": reply is not None}

    def _guard_call(self, call: str):
        if not self.guard.get("ok"):
            return None
        text = self.evaluate("pass", f"__import__('sys').modules[{self.guard['name']!r}].{call}")
        try:
            return None if text is None else ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return None

    def _check_tampering(self, cell, components: list[str]) -> None:
        report = self._guard_call(f"check({components!r})")
        if report is None:
            if self.stopped_because is not None:
                return
            reasons = ["the grader could not check this notebook for tampering after this test "
                       "(the kernel did not answer, or the check was interfered with)"]
        else:
            report = json.loads(report)
            self.changed = self.changed or report["changed"]
            reasons = [r for name in components for r in report["violations"].get(name, [])]
            if self.changed:
                shown = ", ".join(self.changed[:4]) + (" ..." if len(self.changed) > 4 else "")
                reasons.append(f"the notebook replaced {shown}, which the tests rely on; no test after "
                               "that can be trusted")
        if reasons:
            record_error(cell, TAMPERING, "; ".join(reasons) + ". This test scores 0.")
