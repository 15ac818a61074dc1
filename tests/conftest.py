"""Shared fixtures, and the suite's time table printed at the end of every run."""
from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections import defaultdict

import pytest

from coursetools import catalogue, hostile

from helpers import ASSIGNMENTS, SWEEP, graded_once_per_run

# The suite proves the course offline: no notebook, kernel or test may wait on the HuggingFace hub
# (with this set, any hub access fails at once instead of retrying).
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def graded_catalogue(tmp_path_factory):
    """problem -> GradedCatalogue, each problem's catalogue graded once per session, with the
    hostile cases that hand in the problem's reference component; on the machinery problem
    (and in the sweep) those go through nbgrader too, so warm and real grading are compared on them."""
    cache: dict = {}
    component_cases = [c for c in hostile.hostile_cases() if c.scope == "component"]

    def grade(assignment: str) -> catalogue.GradedCatalogue:
        if assignment not in cache:
            graded_once_per_run(tmp_path_factory, f"catalogue-{assignment}")
            cache[assignment] = catalogue.grade_catalogue(
                tmp_path_factory.mktemp(assignment), assignment, sweep=SWEEP, hostile_cases=component_cases,
                hostile_through_nbgrader=assignment == hostile.MACHINERY_PROBLEM)
        return cache[assignment]

    return grade


@pytest.fixture(scope="session")
def loopback_port():
    """A TCP server on this machine's loopback, reachable from here, that learner code must not reach."""
    server = socket.create_server(("127.0.0.1", 0))

    def accept_forever():
        while True:
            server.accept()[0].close()

    threading.Thread(target=accept_forever, daemon=True).start()
    socket.create_connection(server.getsockname(), timeout=3).close()  # reachable outside the sandbox
    return server.getsockname()[1]


# --- where the time goes ---------------------------------------------------------------------------
# Seconds of test time (setup, call and teardown; a batch graded in a fixture counts for the test
# that first needs it), summed over the workers, per group and per problem.
PACKAGE_TESTS = ["test_package", "test_generation", "test_kv_cache", "test_training", "test_lora",
                 "test_quantization", "test_distributed"]  # the reference package, one file per module
GROUPS = {**dict.fromkeys(PACKAGE_TESTS, "package"), "test_hf_parity": "HF parity", "test_course": "course lint + notebook runs",
          "test_grading": "per-problem grading", "test_feedback": "per-problem grading",
          "test_hostile": "hostile", "test_exchange_flow": "exchange flow", "test_lab": "labs and install"}
_seconds: dict[str, float] = defaultdict(float)
_per_problem: dict[str, float] = defaultdict(float)
_started = time.monotonic()


def pytest_runtest_logreport(report):
    module = report.nodeid.split("::")[0].rsplit("/", 1)[-1].removesuffix(".py")
    _seconds[GROUPS.get(module, "tooling (sandbox, parallel, self-check)")] += report.duration
    param = re.search(r"\[(.*)\](@[^\]]*)?$", report.nodeid)  # xdist adds "@group" under loadgroup
    problem = next((a for a in ASSIGNMENTS if param and param[1].startswith(a)), None)
    if problem:
        _per_problem[problem] += report.duration


def pytest_terminal_summary(terminalreporter):
    if not _seconds or hasattr(terminalreporter.config, "workerinput"):
        return
    write = terminalreporter.write_line
    wall = time.monotonic() - _started
    write("")
    write(f"{'suite time by group':40s} {'test-seconds':>12s}")
    for group, seconds in sorted(_seconds.items(), key=lambda kv: -kv[1]):
        write(f"  {group:38s} {seconds:12.0f}")
    write(f"  {'total (all workers)':38s} {sum(_seconds.values()):12.0f}")
    if _per_problem:
        write(f"{'per problem (course, grading, hostile)':40s}")
        for problem, seconds in sorted(_per_problem.items()):
            write(f"  {problem:38s} {seconds:12.0f}")
    write(f"wall time of this pytest run: {wall:.0f} s ({wall / 60:.1f} min)")
