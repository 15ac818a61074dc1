"""Grade many submissions of one problem in one warm Python process.

Real nbgrader starts a kernel for every notebook: about 1.5 s of torch import each, plus
nbgrader's own start. A problem's catalogue holds some 25 submissions, so ``make test`` grades
them here instead, with the same rules:

- one warm process per problem imports torch, ``gpt2``, IPython and matplotlib once, then
  ``fork``s a child per submission, so each notebook starts from a fresh interpreter state
  (fresh namespace, fresh modules' state, torch's default random state) without paying the
  import;
- the child runs the notebook nbgrader would run: the learner's cells with the locked cells
  (hidden tests included) restored from the instructor notebook, the activities skipped;
- each cell runs in an IPython shell like the kernel's (ipykernel's compiler, so the tamper
  guard sees the same cell file names), through ``GradingRun``: the same time limits, memory
  limit, tamper guard and error messages as ``GuardedExecute``;
- outputs are captured as a kernel would send them (stdout, stderr at the Python and the file
  descriptor level, the error, the cell's value), then scored by nbgrader's own
  ``determine_grade`` after the configured ``IgnorePattern``: any stderr in a test cell scores 0.

What it does not do is the sandbox: the catalogue is the course's own code, so no bubblewrap.
That the two paths agree is tested per problem: a sample of each catalogue also goes through
real nbgrader and must get the same per-test scores (tests/test_grading.py).

    python -m coursetools.warm JOB.json RESULT.json      (what ``grade_in_warm_process`` runs)
"""
from __future__ import annotations

import copy
import importlib
import io
import json
import os
import resource
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from . import notebooks
from .course import Course
from .gradingrun import GradingRun, prepare_shared_checkpoints
from .results import CellResult, NotebookResult, error_messages


# --- the caller's side ---------------------------------------------------------------------------
def graded_notebook(submitted, source) -> nbformat.NotebookNode:
    """What nbgrader's autograde runs: the submission with each locked cell's source restored
    from the instructor notebook (hidden tests included) and the activities marked as skipped."""
    nb = nbformat.from_dict(json.loads(json.dumps(submitted)))
    locked = {notebooks.grade_id(c): c.source for c in source.cells if notebooks.is_locked(c)}
    for cell in nb.cells:
        if notebooks.grade_id(cell) in locked:
            cell.source = locked[notebooks.grade_id(cell)]
    for cell in notebooks.activity_cells(nb):
        cell.metadata.setdefault("tags", []).append(notebooks.SKIP_TAG)
    return nb


def score(nb, assignment: str, student: str, config) -> NotebookResult:
    """Per-test scores of an executed notebook, by nbgrader's rules."""
    from nbgrader.preprocessors import IgnorePattern
    from nbgrader.utils import determine_grade

    ignore = IgnorePattern(config=config)
    result = NotebookResult(student, assignment, 0.0, 0.0)
    messages = error_messages(nb)
    for index, cell in enumerate(nb.cells):
        if notebooks.is_graded(cell) and cell.cell_type == "code":
            ignore.preprocess_cell(cell, {}, index)
            points, max_points = determine_grade(cell)
            gid = notebooks.grade_id(cell)
            result.cells[gid] = CellResult(gid, points or 0.0, max_points, messages.get(gid, ""))
            result.score += points or 0.0
            result.max_score += max_points
    return result


def grade_in_warm_process(course: Course, assignment: str,
                          submissions: dict[str, nbformat.NotebookNode]) -> dict[str, NotebookResult]:
    """Grade ``{student: submitted notebook}`` of one problem in one warm process."""
    source = notebooks.read(course.source(assignment))
    config = course.nbgrader_config()
    with tempfile.TemporaryDirectory(prefix="warm-") as tmp:
        job, out = Path(tmp) / "job.json", Path(tmp) / "result.json"
        job.write_text(json.dumps({
            "course_nb": source,
            "notebooks": {s: graded_notebook(nb, source) for s, nb in submissions.items()},
            "workdirs": {s: str(course.root / "warm" / s / assignment) for s in submissions},
            "cell_timeout": config.ExecutePreprocessor.get("timeout", 120),
            "notebook_timeout": config.GuardedExecute.get("notebook_timeout", 600),
            "memory_limit_mb": config.SandboxedKernelManager.get("memory_limit_mb", 4096),
        }))
        env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONUNBUFFERED": "1"}
        subprocess.run([sys.executable, "-m", "coursetools.warm", str(job), str(out)], check=True,
                       cwd=course.root, env=env)
        executed = json.loads(out.read_text())
    return {s: score(nbformat.from_dict(executed[s]), assignment, s, config) for s in submissions}


# --- the warm process ----------------------------------------------------------------------------
class CellTimeoutError(Exception):
    """Raised in a cell that ran past the per-cell timeout (a kernel would be interrupted)."""


def _new_shell():
    """An IPython shell configured as ipykernel configures the kernel's."""
    from ipykernel.compiler import XCachingCompiler
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    class GradingShell(InteractiveShell):
        errors: list = []

        def _showtraceback(self, etype, evalue, stb):  # what ipykernel sends as the error message
            self.errors.append(nbformat.v4.new_output(
                "error", ename=str(etype.__name__), evalue=str(evalue), traceback=stb))

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.xmode = "Minimal"  # grading reads only the error's name and message
    return GradingShell.instance(config=config, compiler_class=XCachingCompiler)


class _Captured:
    """stdout and stderr of one cell, at the Python and the file-descriptor level."""

    def __enter__(self):
        sys.stdout.flush(), sys.stderr.flush()
        self.python = {"stdout": io.StringIO(), "stderr": io.StringIO()}
        self.saved_python = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = self.python["stdout"], self.python["stderr"]
        self.files = {name: tempfile.TemporaryFile() for name in ("stdout", "stderr")}
        self.saved_fds = {1: os.dup(1), 2: os.dup(2)}
        os.dup2(self.files["stdout"].fileno(), 1)
        os.dup2(self.files["stderr"].fileno(), 2)
        return self

    def __exit__(self, *exc):
        sys.stdout, sys.stderr = self.saved_python
        for fd, saved in self.saved_fds.items():
            os.dup2(saved, fd)
            os.close(saved)
        self.text = {}
        for name in ("stdout", "stderr"):
            self.files[name].seek(0)
            self.text[name] = self.python[name].getvalue() + self.files[name].read().decode(errors="replace")
            self.files[name].close()
        return False


def _run_cell(shell, source: str, timeout: int) -> list:
    """Run one cell as the kernel would; its outputs as nbformat outputs."""
    def on_timeout(signum, frame):
        raise CellTimeoutError()

    shell.errors = []
    previous = signal.signal(signal.SIGALRM, on_timeout)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        with _Captured() as captured:
            result = shell.run_cell(source, store_history=True)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    outputs = [nbformat.v4.new_output("stream", name=name, text=text)
               for name, text in captured.text.items() if text]
    outputs += shell.errors
    if result.success and result.result is not None:
        data, metadata = shell.display_formatter.format(result.result)
        outputs.append(nbformat.v4.new_output("execute_result", data=data, metadata=metadata,
                                              execution_count=shell.execution_count - 1))
    return outputs


def _evaluator(shell):
    """``GradingRun``'s evaluate: what ipykernel does for a silent request with a user expression."""
    def evaluate(code: str, expression: str | None):
        errors, shell.errors = shell.errors, []
        try:
            with _Captured():
                result = shell.run_cell(code, store_history=False, silent=True)
                values = shell.user_expressions({"value": expression}) if expression else {}
        finally:
            shell.errors = errors
        if not result.success:
            return None
        if expression is None:
            return "ok"
        value = values.get("value", {})
        return value["data"]["text/plain"] if value.get("status") == "ok" else None
    return evaluate


def _grade_in_child(nb, course_nb, job: dict, workdir: str, report) -> None:
    """Run in a forked child: every code cell, reported as it finishes (index, outputs)."""
    os.makedirs(workdir, exist_ok=True)
    os.chdir(workdir)
    limit = job["memory_limit_mb"] << 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    shell = _new_shell()
    run = GradingRun(nb, course_nb, _evaluator(shell), cell_timeout=job["cell_timeout"],
                     notebook_timeout=job["notebook_timeout"], memory_limit_mb=job["memory_limit_mb"],
                     clock=time.monotonic)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or notebooks.SKIP_TAG in cell.metadata.get("tags", []):
            continue
        cell.outputs = []
        if run.before_cell(cell):
            cell.outputs = list(cell.outputs) + _run_cell(shell, cell.source, job["cell_timeout"])
            run.after_cell(cell)
        report(index, cell.outputs)


def _import_what_a_notebook_imports(nb, course_nb, job: dict, workdir: str) -> None:
    """Run ``nb`` once in a scout child and import here every module it imported.

    Many of torch's modules load on first use (the "meta" device alone costs a second); the
    children forked after this find them loaded. Only imports happen here, never the notebook's
    computations, so each child still starts as a fresh kernel would (torch's random state too).
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            _grade_in_child(copy.deepcopy(nb), course_nb, job, workdir, lambda index, outputs: None)
            with os.fdopen(write_end, "w") as pipe:
                pipe.write("\n".join(sys.modules))
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        names = pipe.read().split()
    os.waitpid(pid, 0)
    for name in names:
        if name not in sys.modules:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 (a module made at run time, a platform-only one: skip it)
                pass


def _grade_one(nb, course_nb, job: dict, workdir: str) -> nbformat.NotebookNode:
    """Fork a child for one notebook and collect its cells' outputs; a child that dies or hangs
    costs the cells it did not finish, as a dead kernel does."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: a fresh interpreter state for this notebook
        os.close(read_end)
        status = 0
        try:
            with os.fdopen(write_end, "w") as pipe:
                def report(index, outputs):
                    pipe.write(json.dumps({"index": index, "outputs": outputs}) + "\n")
                    pipe.flush()
                _grade_in_child(nb, course_nb, job, workdir, report)
        except BaseException:  # noqa: BLE001 (whatever happens, the child must not return)
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    code_cells = [i for i, c in enumerate(nb.cells)
                  if c.cell_type == "code" and notebooks.SKIP_TAG not in c.metadata.get("tags", [])]
    finished, buffer = {}, b""
    deadline = time.monotonic() + job["notebook_timeout"] + job["cell_timeout"] + 60
    with os.fdopen(read_end, "rb") as pipe:
        while len(finished) < len(code_cells) and time.monotonic() < deadline:
            ready, _, _ = select.select([pipe], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            chunk = os.read(pipe.fileno(), 1 << 20)
            if not chunk:
                break
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                message = json.loads(line)
                finished[message["index"]] = message["outputs"]
    if len(finished) < len(code_cells):
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    run = GradingRun(nb, course_nb, lambda code, expression: None, cell_timeout=job["cell_timeout"],
                     notebook_timeout=0, memory_limit_mb=job["memory_limit_mb"], clock=time.monotonic)
    for index in code_cells:
        cell = nb.cells[index]
        if index in finished:
            cell.outputs = [nbformat.from_dict(o) for o in finished[index]]
        elif run.stopped_because is None:
            cell.outputs = []
            run.kernel_died(cell, index)
        else:
            cell.outputs = []
            run.before_cell(cell)
    return nb


def main(argv: list[str]) -> None:
    job_file, result_file = argv
    job = json.loads(Path(job_file).read_text())
    # What every notebook's setup imports, imported once before forking.
    import matplotlib.pyplot  # noqa: F401
    import numpy  # noqa: F401
    import torch  # noqa: F401
    from ipykernel.compiler import XCachingCompiler  # noqa: F401
    from IPython.core.interactiveshell import InteractiveShell  # noqa: F401

    import gpt2.testing  # noqa: F401

    course_nb = nbformat.from_dict(job["course_nb"])
    prepare_shared_checkpoints(course_nb)  # before any child: the children only read them
    first = next(iter(job["notebooks"]))
    _import_what_a_notebook_imports(nbformat.from_dict(job["notebooks"][first]), course_nb, job,
                                    job["workdirs"][first])
    executed = {student: _grade_one(nbformat.from_dict(nb), course_nb, job, job["workdirs"][student])
                for student, nb in job["notebooks"].items()}
    Path(result_file).write_text(json.dumps(executed))


if __name__ == "__main__":
    main(sys.argv[1:])
