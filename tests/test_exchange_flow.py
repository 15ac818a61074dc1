"""The full instructor <-> learner flow over a local nbgrader exchange, as one test.

release_assignment -> two learners fetch_assignment and submit -> collect -> autograde ->
generate_feedback -> release_feedback -> learners fetch_feedback -> export.
"""
from __future__ import annotations

import csv
import os
import subprocess
import sys

import nbformat
import pytest

from coursetools import notebooks
from coursetools.course import new_course
from coursetools.nbgrader_cli import nbgrader

A = "01-embeddings"
COURSE_ID = "learn-gpt2"

# nbgrader names a learner after the OS account, or after $JUPYTERHUB_USER when that account is
# JupyterHub's "jovyan" (one container per learner). The learners here are simulated that way.
LEARNER_NBGRADER = (
    "import coursetools, sys, nbgrader.utils as u; u.get_osusername = lambda: 'jovyan'; "
    "from nbgrader.apps.nbgraderapp import main; sys.argv[0] = 'nbgrader'; main()")


def learner(name: str, home, exchange, *args: str) -> None:
    env = {**os.environ, "JUPYTERHUB_USER": name, "HOME": str(home),  # own home: own nbgrader cache
           "PATH": os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]])}
    subprocess.run([sys.executable, "-c", LEARNER_NBGRADER, *args, f"--course={COURSE_ID}",
                    f"--Exchange.root={exchange}"], cwd=home, env=env, check=True, capture_output=True)


@pytest.mark.slow
def test_release_fetch_submit_collect_grade_feedback_export(tmp_path):
    exchange = tmp_path / "exchange"
    exchange.mkdir(mode=0o777)
    exchange.chmod(0o777)
    course = new_course(tmp_path / "course", [A])
    solution = notebooks.solution_answers(notebooks.read(course.source(A)))
    ex = f"--Exchange.root={exchange}"
    nbgrader("release_assignment", A, ex, cwd=course.root, quiet=True)

    for name, answers in (("alice", solution), ("bob", {})):
        home = tmp_path / name
        home.mkdir()
        learner(name, home, exchange, "fetch_assignment", A)
        fetched = home / A / f"{A}.ipynb"
        nbformat.write(notebooks.fill_answers(notebooks.read(fetched), answers), str(fetched))
        learner(name, home, exchange, "submit", A)

    nbgrader("collect", A, ex, cwd=course.root, quiet=True)
    assert course.submitted_students(A) == ["alice", "bob"]
    nbgrader("autograde", A, cwd=course.root, quiet=True)
    nbgrader("generate_feedback", A, cwd=course.root, quiet=True)
    nbgrader("release_feedback", A, ex, cwd=course.root, quiet=True)
    for name in ("alice", "bob"):
        learner(name, tmp_path / name, exchange, "fetch_feedback", A)
        pages = list((tmp_path / name / A / "feedback").glob(f"*/{A}.html"))
        assert len(pages) == 1, f"{name} should have fetched one feedback page"
        assert notebooks.BEGIN_HIDDEN not in pages[0].read_text()

    nbgrader("export", "--to", "grades.csv", cwd=course.root, quiet=True)
    with open(course.root / "grades.csv", newline="") as f:
        grades = {row["student_id"]: (float(row["score"]), float(row["max_score"])) for row in csv.DictReader(f)}
    assert grades == {"alice": (10.0, 10.0), "bob": (0.0, 10.0)}
