"""`make demo`: the whole instructor flow on a small demo cohort in .demo/."""
from __future__ import annotations

import shutil
from pathlib import Path

from . import catalogue
from .autograde import autograde
from .course import REPO, new_course
from .grades import export_grades
from .nbgrader_cli import nbgrader

DEMO_DIR = REPO.root / ".demo"


def demo(course_dir: Path = DEMO_DIR) -> str:
    """Release every problem, submit for four demo learners, autograde, give feedback, export.

    alice submits the instructor solution, bob the untouched learner copy, carol a catalogued
    buggy submission and dave a catalogued correct-but-different one (where the problem has them).
    """
    if course_dir.exists():
        shutil.rmtree(course_dir)
    problems = REPO.assignments()
    print(f"demo course in {course_dir.name}/: releasing {len(problems)} problem(s)")
    course = new_course(course_dir, problems)
    for a in problems:
        standard = catalogue.standard_submissions(course, a)
        cases = catalogue.cases(a)
        course.submit("alice", a, standard["solution"])
        course.submit("bob", a, standard["blank"])
        for student, kind in (("carol", "mutant"), ("dave", "variant")):
            case = next((c for c in cases if c.kind == kind), None)
            if case is not None:
                course.submit(student, a, catalogue.case_submission(course, a, case))
        autograde(course, a, progress=True)
        nbgrader("generate_feedback", a, "--force", cwd=course.root, quiet=True)
    table = export_grades(course)
    print(f"feedback: {course_dir.name}/feedback/<student>/<problem>/*.html; grades: {course_dir.name}/grades.csv\n")
    return table
