"""What several test modules share: problem lists, xdist groups, reading feedback pages."""
from __future__ import annotations

import html
import os
import re

import pytest

from coursetools import notebooks
from coursetools.course import REPO

ASSIGNMENTS = REPO.assignments()
# `make test-all` (LEARN_GPT2_SWEEP=1): every catalogued and hostile case through real nbgrader,
# for every problem. `make test` grades the catalogue in a warm process and proves it equivalent.
SWEEP = os.environ.get("LEARN_GPT2_SWEEP") == "1"


def xdist_group(name: str):
    """Mark for pytest-xdist (--dist loadgroup): tests sharing one expensive batch share a worker."""
    return pytest.mark.xdist_group(name)


def graded_once_per_run(tmp_path_factory, batch: str) -> None:
    """Fail when another worker of this run has already graded ``batch``: its tests were split over
    workers (the xdist groups are not honoured), which doubles the suite's time without a word."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return
    claim = tmp_path_factory.getbasetemp().parent / f"graded-{batch}"  # shared by this run's workers
    try:
        claim.open("x").close()
    except FileExistsError:
        pytest.fail(f"{batch} graded by two workers: xdist groups not honoured (see pyproject's pytest pin)")


def per_problem(ids=ASSIGNMENTS, group: str = "{}"):
    """One pytest parameter per problem, grouped on one worker with that problem's batch."""
    return [pytest.param(a, marks=xdist_group(group.format(a))) for a in ids]


def visible_text(page: str) -> str:
    """What a reader of the HTML sees (syntax highlighting splits code into many tags)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def hidden_test_lines(assignment: str) -> list[str]:
    """Lines of hidden tests that appear nowhere in the learner's copy."""
    source, release = notebooks.read(REPO.source(assignment)), notebooks.read(REPO.release(assignment))
    public = {line.strip() for cell in release.cells for line in cell.source.splitlines()}
    lines = []
    for cell in notebooks.test_cells(source).values():
        for block in notebooks.marked_blocks(cell.source, notebooks.BEGIN_HIDDEN, notebooks.END_HIDDEN):
            lines += [line.strip() for line in block.splitlines()
                      if len(line.strip()) > 12 and line.strip() not in public]
    return lines


def leaked_hidden_lines(course, student: str, assignment: str) -> list[str]:
    """Hidden test lines that the learner's feedback page shows and their own code does not hold."""
    shown = {line.strip() for line in visible_text(course.feedback(student, assignment).read_text()).splitlines()}
    submitted = notebooks.read(course.submitted(student, assignment))
    own = {line.strip() for cell in submitted.cells for line in cell.source.splitlines()}
    return [line for line in hidden_test_lines(assignment) if line in shown and line not in own]
