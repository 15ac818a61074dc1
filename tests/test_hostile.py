"""Hostile and mangled submissions, graded through real nbgrader for every problem.

The cases live in tests/hostile/, one file per case (see coursetools.hostile). Each problem's
batch holds the instructor solution and every case, graded together: a stuck, crashing or
memory-hungry notebook costs only its own points, tampering earns nothing and is flagged,
mangled notebooks are graded on the learner's implementation, and the sandbox keeps learner
code away from the network, the instructor's files and other learners' work.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from coursetools import cohort, hostile, notebooks
from coursetools.nbgrader_cli import nbgrader

from test_feedback import leaked_hidden_lines, visible_text

ASSIGNMENTS = cohort.assignments()
CASES = hostile.hostile_cases()


def _group(assignment: str):
    return pytest.mark.xdist_group(f"hostile-{assignment}")


@pytest.fixture(scope="session")
def hostile_batch(tmp_path_factory, loopback_port):
    """problem -> (course directory, {student: result}), each problem's batch graded once."""
    cache = {}

    def grade(assignment):
        if assignment not in cache:
            course = tmp_path_factory.mktemp(f"hostile-{assignment}")
            os.environ["HOSTILE_PROBE_PORT"] = str(loopback_port)  # nbgrader's kernels inherit it
            cache[assignment] = course, hostile.grade_hostile(course, assignment)[0]
        return cache[assignment]

    return grade


def test_the_catalogue_covers_every_requirement():
    names = {case.name for case in CASES}
    assert {"stuck_in_every_call", "memory_bomb_growing", "kernel_exits", "cells_reversed", "invalid_json",
            "patch_torch_allclose", "alias_reference", "read_instructor_files", "write_outside",
            "network_access", "spy_on_hidden_tests"} <= names
    assert all(case.doc for case in CASES), "every case says what the learner did"


@pytest.mark.slow
@pytest.mark.parametrize("assignment,case", [pytest.param(a, c, marks=_group(a), id=f"{a}-{c.name}")
                                             for a in ASSIGNMENTS for c in CASES])
def test_hostile_case_is_graded_as_expected(hostile_batch, assignment, case):
    result = hostile_batch(assignment)[1][f"hostile-{case.name}"]
    assert hostile.meets_expectation(case, result) == "", case.doc


@pytest.mark.slow
@pytest.mark.parametrize("assignment", [pytest.param(a, marks=_group(a)) for a in ASSIGNMENTS])
def test_other_learners_and_the_course_are_untouched(hostile_batch, assignment):
    course, results = hostile_batch(assignment)
    solution = results["solution"]
    assert (solution.score, solution.needs_manual_grade) == (solution.max_score, False)
    assert (course / "nbgrader_config.py").read_text().endswith(hostile.BATCH_LIMITS)
    for directory in ("source", "release", "submitted/solution"):
        nb = notebooks.read(course / directory / assignment / f"{assignment}.ipynb")  # still a notebook
        assert "overwritten by a learner" not in str(nb)


@pytest.mark.slow
@pytest.mark.parametrize("assignment", [pytest.param(a, marks=_group(a)) for a in ASSIGNMENTS])
def test_a_spying_hook_leaks_no_hidden_test_into_feedback(hostile_batch, assignment):
    course, _ = hostile_batch(assignment)
    student = "hostile-spy_on_hidden_tests"
    nbgrader("generate_feedback", assignment, "--force", f"--student={student}", cwd=course, quiet=True)
    leaked = leaked_hidden_lines(course, student, assignment)
    assert not leaked, f"feedback shows hidden test code: {leaked[:3]}"
    page = visible_text((course / "feedback" / student / assignment / f"{assignment}.html").read_text())
    assert "TamperingDetected" in page, "the learner is told why the tests scored 0"


@pytest.mark.slow
def test_the_file_probe_finds_the_private_files_outside_the_sandbox(hostile_batch):
    """The read_instructor_files case proves something only if its search works unsandboxed."""
    assignment = ASSIGNMENTS[0]
    course, _ = hostile_batch(assignment)
    probe = next(c for c in CASES if c.name == "read_instructor_files").module.PROBE
    done = subprocess.run([sys.executable, "-c", probe], cwd=course / "autograded" / "solution" / assignment,
                          capture_output=True, text=True)
    assert done.returncode != 0 and "private files" in done.stderr


@pytest.mark.slow
def test_the_grades_report_lists_flagged_submissions_with_reasons(hostile_batch):
    from coursetools.__main__ import export_grades

    assignment = ASSIGNMENTS[0]
    course, _ = hostile_batch(assignment)
    printed = export_grades(course)
    flagged = {line.split()[1]: line for line in printed.splitlines() if line.startswith("FLAGGED ")}
    expected = {f"hostile-{c.name}" for c in CASES if c.expect == "flagged"}
    assert set(flagged) == expected
    assert "torch.allclose" in flagged["hostile-patch_torch_allclose"]
    assert "is the reference gpt2." in flagged["hostile-alias_reference"]
