"""Benchmark: grading a cohort with N parallel workers against one."""
from __future__ import annotations

import time
from pathlib import Path

from . import catalogue, diagram, notebooks
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


def add_problem_copies(course: Course, total: int) -> list[str]:
    """Stand-ins for problems not written yet: copies of the existing ones (notebook, catalogue,
    README link) under new numbers, up to ``total`` problems. Only for timing the suite."""
    import itertools
    import json
    import shutil

    existing, added = course.assignments(), []
    for number, original in zip(range(len(existing) + 1, total + 1), itertools.cycle(existing)):
        new = f"{number:02d}-{original[3:]}-copy"
        old_prefix, new_prefix = f"p{original[:2]}-", f"p{number:02d}-"
        text = course.source(original).read_text()
        course.source(new).parent.mkdir(parents=True)
        course.source(new).write_text(text.replace(f'"grade_id": "{old_prefix}', f'"grade_id": "{new_prefix}'))
        (course.source(new).parent / diagram.FILE).write_text(diagram.svg(f"{number:02d}"))
        shutil.copytree(course.cases_dir(original), course.cases_dir(new))
        for case in course.cases_dir(new).glob("*/*.py"):
            case.write_text(case.read_text().replace(f"# cell: {old_prefix}", f"# cell: {new_prefix}", 1))
        # Its row in README's course table: linked, available, with the copied notebook's points.
        readme = course.root / "README.md"
        row = next(line for line in readme.read_text().splitlines() if line.startswith(f"| {number:02d} |"))
        cells = row.split(" | ")
        cells[1], cells[-1] = f"[{new}](release/{new}/{new}.ipynb)", "available |"
        cells[-2] = f"{notebooks.total_points(notebooks.read(course.source(original))):g}"
        readme.write_text(readme.read_text().replace(row, " | ".join(cells)))
        json.loads(course.source(new).read_text())  # still a notebook
        added.append(new)
    return added


def bench_suite(workdir: Path, total: int = 18) -> int:
    """``make test`` on a fresh clone of this repository's HEAD with ``total`` problems present
    (the missing ones stand-ins copied from the existing ones); its time table is the answer."""
    import subprocess

    from .course import REPO

    clone = workdir / "learn-gpt2"
    subprocess.run(["git", "clone", "-q", str(REPO.root), str(clone)], check=True)
    added = add_problem_copies(Course(clone), total)
    print(f"fresh clone with {len(added)} stand-in problems: {', '.join(added)}", flush=True)
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = ":".join(p for p in env["PATH"].split(":") if not p.startswith(str(REPO.root)))
    for target in ("setup", "release", "test"):
        done = subprocess.run(["make", "-C", str(clone), target], env=env)
        if done.returncode:
            return done.returncode
    return 0
