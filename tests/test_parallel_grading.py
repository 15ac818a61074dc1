"""Grading with several workers loses no grade, duplicates none, and changes none."""
from __future__ import annotations

import pytest

from coursetools import bench
from coursetools.autograde import autograde
from coursetools.course import Course


@pytest.mark.slow
def test_two_workers_give_the_same_grades_as_one(tmp_path, capsys):
    graded = {}
    for jobs in (1, 2):
        course = tmp_path / f"jobs{jobs}"
        students = bench.build_cohort(course, size=4)  # two rounds of two workers
        results = autograde(Course(course), bench.BENCH_PROBLEM, jobs=jobs, progress=True)
        printed = capsys.readouterr().out
        assert f"[4/4] {bench.BENCH_PROBLEM}: grading " in printed, "progress says how far the batch is"
        assert all(f"grading {s} (" in printed for s in students), "and which learner is being graded"
        assert sorted(results) == students, "every learner graded"
        assert all(len(notebooks) == 1 for notebooks in results.values()), "no grade recorded twice"
        graded[jobs] = bench.scores(results)
    assert graded[2] == graded[1]  # same scores, cell by cell: grading is deterministic too
