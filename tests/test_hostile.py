"""Hostile and mangled submissions, graded through real nbgrader.

The cases live in catalogue/hostile/, one file per case (see coursetools.hostile). Each batch
holds the instructor solution and the cases, graded together: a stuck, crashing or
memory-hungry notebook costs only its own points, tampering earns nothing and is flagged,
mangled notebooks are graded on the learner's implementation, and the sandbox keeps learner
code away from the network, the exchange, the instructor's files and other learners' work.

Machinery cases test the grader, the same for every problem, and run on one problem
(hostile.MACHINERY_PROBLEM) in a batch of their own; component cases (handing in the reference
component) run on every problem with its catalogue (conftest's graded_catalogue): in the warm
process, and on the machinery problem through nbgrader too, where test_grading checks that both
agree. `make test-all` runs every case through nbgrader on every problem.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coursetools import hostile, notebooks
from coursetools.course import REPO, Course
from coursetools.grades import export_grades
from coursetools.nbgrader_cli import nbgrader

from helpers import ASSIGNMENTS, SWEEP, graded_once_per_run, leaked_hidden_lines, per_problem, visible_text, xdist_group

CASES = hostile.hostile_cases()
MACHINERY = [c for c in CASES if c.scope == "machinery"]
COMPONENT = [c for c in CASES if c.scope == "component"]
MACHINERY_PROBLEMS = hostile.machinery_problems(ASSIGNMENTS, everything=SWEEP)
GROUP = "hostile-{}"


@pytest.fixture(scope="session")
def exchange_root(tmp_path_factory):
    """nbgrader's exchange holding a private file, and the nbgrader option that selects it.

    nbgrader's default root when this process may create it (as CI, which runs as root), since
    that is the exchange an instructor who sets nothing uses; otherwise a configured one."""
    from nbgrader.exchange.default.exchange import Exchange

    default = Path(Exchange().root)
    inbound = default / "learn-gpt2" / "inbound"
    made = [p for p in [inbound, *inbound.parents] if not p.exists()]  # removed again afterwards
    try:
        inbound.mkdir(parents=True, exist_ok=True)
        root, extra_config = default, ""
    except PermissionError:
        root, made = tmp_path_factory.mktemp("exchange"), []
        extra_config = f"\nc.Exchange.root = {str(root)!r}\n"
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    secret = root / "learn-gpt2" / "inbound" / f"someone-{worker}+01-embeddings+2026-01-01 00:00:00 UTC"
    secret.mkdir(parents=True, exist_ok=True)
    (secret / "01-embeddings.ipynb").write_text("another learner's submission")
    yield root, extra_config
    shutil.rmtree(secret, ignore_errors=True)
    for directory in made:  # innermost first; one still in use by another worker stays
        try:
            directory.rmdir()
        except OSError:
            break


@pytest.fixture(scope="session")
def hostile_batch(tmp_path_factory, loopback_port, exchange_root):
    """problem -> (course, {student: result}), each problem's batch graded once."""
    cache = {}
    root, extra_config = exchange_root

    def grade(assignment):
        if assignment not in cache:
            graded_once_per_run(tmp_path_factory, f"hostile-{assignment}")
            course_dir = tmp_path_factory.mktemp(f"hostile-{assignment}")
            os.environ["HOSTILE_PROBE_PORT"] = str(loopback_port)  # nbgrader's kernels inherit these
            os.environ["HOSTILE_EXCHANGE_ROOT"] = str(root)
            results, _ = hostile.grade_hostile(course_dir, assignment, MACHINERY, extra_config=extra_config)
            cache[assignment] = Course(course_dir), results
        return cache[assignment]

    return grade


def test_the_catalogue_covers_every_requirement():
    names = {case.name for case in CASES}
    assert {"stuck_in_every_call", "memory_bomb_growing", "kernel_exits", "cells_reversed", "invalid_json",
            "patch_torch_allclose", "alias_reference", "read_instructor_files", "read_exchange", "write_outside",
            "network_access", "spy_on_hidden_tests"} <= names
    assert all(case.doc for case in CASES), "every case says what the learner did"
    assert {c.name for c in CASES if c.scope == "component"} == {
        "alias_reference", "subclass_reference", "delegate_to_reference"}, "only these depend on the problem"


@pytest.mark.slow
@pytest.mark.parametrize("assignment,case", [
    pytest.param(a, c, marks=xdist_group(GROUP.format(a)), id=f"{a}-{c.name}")
    for a in MACHINERY_PROBLEMS for c in MACHINERY])
def test_machinery_case_is_graded_as_expected(hostile_batch, assignment, case):
    result = hostile_batch(assignment)[1][case.student]
    assert hostile.meets_expectation(case, result) == "", case.doc


@pytest.mark.slow
@pytest.mark.parametrize("assignment,case", [
    pytest.param(a, c, marks=xdist_group(a), id=f"{a}-{c.name}") for a in ASSIGNMENTS for c in COMPONENT])
def test_component_case_is_graded_as_expected(graded_catalogue, assignment, case):
    result = graded_catalogue(assignment).result(case.student)
    assert hostile.meets_expectation(case, result) == "", case.doc


@pytest.mark.slow
@pytest.mark.parametrize("assignment", per_problem(MACHINERY_PROBLEMS, group=GROUP))
def test_other_learners_and_the_course_are_untouched(hostile_batch, assignment):
    course, results = hostile_batch(assignment)
    solution = results["solution"]
    assert (solution.score, solution.needs_manual_grade) == (solution.max_score, False)
    assert hostile.BATCH_LIMITS in (course.root / "nbgrader_config.py").read_text()
    for path in (course.source(assignment), course.release(assignment), course.submitted("solution", assignment)):
        assert "overwritten by a learner" not in str(notebooks.read(path))  # still a notebook, unchanged


@pytest.mark.slow
@pytest.mark.parametrize("assignment", per_problem(MACHINERY_PROBLEMS, group=GROUP))
def test_a_spying_hook_leaks_no_hidden_test_into_feedback(hostile_batch, assignment):
    course, _ = hostile_batch(assignment)
    student = "hostile-spy_on_hidden_tests"
    nbgrader("generate_feedback", assignment, "--force", f"--student={student}", cwd=course.root, quiet=True)
    leaked = leaked_hidden_lines(course, student, assignment)
    assert not leaked, f"feedback shows hidden test code: {leaked[:3]}"
    page = visible_text(course.feedback(student, assignment).read_text())
    assert "TamperingDetected" in page, "the learner is told why the tests scored 0"


@pytest.mark.slow
@pytest.mark.parametrize("case_name,finds", [("read_instructor_files", "private files"),
                                             ("read_exchange", "read the exchange")])
@pytest.mark.xdist_group(GROUP.format(hostile.MACHINERY_PROBLEM))
def test_the_file_probes_find_the_private_files_outside_the_sandbox(hostile_batch, case_name, finds):
    """A probe that found nothing in the sandbox proves something only if its search works unsandboxed."""
    assignment = hostile.MACHINERY_PROBLEM
    course, _ = hostile_batch(assignment)
    probe = next(c for c in CASES if c.name == case_name).module.PROBE
    done = subprocess.run([sys.executable, "-c", probe], cwd=course.autograded("solution", assignment).parent,
                          capture_output=True, text=True)
    assert done.returncode != 0 and finds in done.stderr, done.stderr[-500:]


@pytest.mark.slow
@pytest.mark.xdist_group(GROUP.format(hostile.MACHINERY_PROBLEM))
def test_the_grades_report_lists_flagged_submissions_with_reasons(hostile_batch):
    assignment = hostile.MACHINERY_PROBLEM
    course, _ = hostile_batch(assignment)
    printed = export_grades(course)
    flagged = {line.split()[1]: line for line in printed.splitlines() if line.startswith("FLAGGED ")}
    expected = {c.student for c in MACHINERY if c.expect == "flagged"}
    assert set(flagged) == expected
    assert "torch.allclose" in flagged["hostile-patch_torch_allclose"]


@pytest.mark.slow
@pytest.mark.xdist_group(hostile.MACHINERY_PROBLEM)
def test_the_grades_report_lists_handed_in_reference_components(graded_catalogue):
    printed = export_grades(graded_catalogue(hostile.MACHINERY_PROBLEM).course)
    flagged = {line.split()[1]: line for line in printed.splitlines() if line.startswith("FLAGGED ")}
    assert set(flagged) == {c.student for c in COMPONENT}
    assert "is the reference gpt2." in flagged["hostile-alias_reference"]


def test_the_sandbox_hides_the_exchange_nbgrader_is_configured_with():
    from traitlets.config import Config

    from coursetools.sandbox import SandboxedKernelManager

    assert "/usr/local/share/nbgrader/exchange" in SandboxedKernelManager(mode="off").hidden_directories()
    config = Config()
    config.Exchange.root = "/srv/elsewhere/exchange"
    hidden = SandboxedKernelManager(mode="off", config=config).hidden_directories()
    assert "/srv/elsewhere/exchange" in hidden and str(REPO.root) in hidden
