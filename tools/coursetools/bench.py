"""Benchmark: grading a cohort with N parallel workers against one."""
from __future__ import annotations

import time
from pathlib import Path

from . import catalogue
from .autograde import autograde
from .course import Course, new_course

BENCH_PROBLEM = "01-embeddings"


def build_cohort(course_dir: Path, size: int, assignment: str = BENCH_PROBLEM) -> list[str]:
    """A released course with ``size`` submissions: the catalogue, then copies of the solution."""
    course = new_course(course_dir, [assignment])
    standard = catalogue.standard_submissions(course, assignment)
    submissions = {"blank": standard["blank"]}
    submissions.update({c.student: catalogue.case_submission(course, assignment, c)
                        for c in catalogue.cases(assignment)})
    for i in range(size - len(submissions)):
        submissions[f"learner-{i:02d}"] = standard["solution"]
    for student, nb in list(submissions.items())[:size]:
        course.submit(student, assignment, nb)
    return sorted(submissions)[:size]


def scores(results) -> dict[str, tuple]:
    """student -> (total, per-test scores): what must not change with the number of workers."""
    return {student: (nbs[0].score, tuple(sorted((c.grade_id, c.score) for c in nbs[0].cells.values())))
            for student, nbs in results.items()}


def bench_grading(workdir: Path, size: int = 24, jobs: tuple[int, ...] = (1, 2)) -> str:
    lines, baseline, first = [], None, None
    for n in jobs:
        course = workdir / f"jobs{n}"
        build_cohort(course, size)
        start = time.perf_counter()
        results = scores(autograde(Course(course), BENCH_PROBLEM, jobs=n, progress=False))
        seconds = time.perf_counter() - start
        if first is None:
            baseline, first = seconds, results
        same = "same grades as N=1" if results == first else "GRADES DIFFER FROM N=1"
        lines.append(f"N={n}: {len(results)} submissions in {seconds:6.1f} s, "
                     f"speed-up x{baseline / seconds:.2f}; {same}")
    return "\n".join(lines)
