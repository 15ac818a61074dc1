"""Shared fixtures: each problem's catalogue is graded through nbgrader once per session."""
from __future__ import annotations

import socket
import threading

import pytest

from coursetools import cohort


@pytest.fixture(scope="session")
def graded_course(tmp_path_factory):
    """problem -> (course directory, {student: NotebookResult}), graded once per session."""
    cache: dict = {}

    def grade(assignment: str):
        if assignment not in cache:
            course = tmp_path_factory.mktemp(assignment)
            cache[assignment] = course, cohort.grade_catalogue(course, assignment)[0]
        return cache[assignment]

    return grade


def xdist_group(assignment: str):
    """Mark for pytest-xdist (--dist loadgroup): a problem's tests share one worker and grading."""
    return pytest.mark.xdist_group(assignment)


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
