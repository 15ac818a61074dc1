"""learn-gpt2 course tooling (the Makefile's instructor targets call these).

    python -m coursetools release [A ...]     nbgrader generate_assignment -> release/ (all problems by default)
    python -m coursetools autograde [A ...]   autograde everything in submitted/
    python -m coursetools feedback [A ...]    generate_feedback for the autograded submissions
    python -m coursetools grades              nbgrader export -> grades.csv, and print the grades table
    python -m coursetools demo                the whole instructor flow on a small demo cohort in .demo/
    python -m coursetools catalogue A         grade the solution, the blank copy and every catalogued
                                              mutant/variant of problem A, and print the scores
    python -m coursetools hostile A           grade the hostile and mangled catalogue (tests/hostile/)
                                              for problem A, and print what each case scored
    python -m coursetools grade NB            grade your own notebook, hidden tests included, and
                                              print a per-test report (for self-paced learners)
    python -m coursetools clean [NB ...]      strip outputs and editor metadata from source notebooks
    python -m coursetools bench [A ...]       run each solution notebook top to bottom and time it
    python -m coursetools bench-grading       grade a cohort of 24 with 1 and with 2 workers: speed-up
"""
from __future__ import annotations

import argparse
import csv
import shutil
import tempfile
from pathlib import Path

import nbformat

from . import bench, cohort, hostile, notebooks, report
from .nbgrader_cli import nbgrader, read_results

DEMO_DIR = cohort.REPO / ".demo"


def _assignments(names: list[str], root: Path) -> list[str]:
    known = cohort.assignments(root)
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise SystemExit(f"unknown problem(s) {unknown}; known: {known}")
    return names or known


def export_grades(course_dir: Path) -> str:
    """``nbgrader export`` to grades.csv in ``course_dir``, returned as a printed table followed
    by the submissions flagged for tampering."""
    nbgrader("export", "--to", "grades.csv", cwd=course_dir, quiet=True)
    with open(course_dir / "grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    flagged = [report.flags_table(read_results(course_dir, a)) for a in sorted({r["assignment"] for r in rows})]
    flags = "\n".join(f for f in flagged if f)
    return report.grades_table(rows) + ("\n\nFlagged for tampering (these tests scored 0):\n" + flags if flags else "")


def demo(course_dir: Path = DEMO_DIR) -> str:
    """Release every problem, submit for four demo learners, autograde, give feedback, export.

    alice submits the instructor solution, bob the untouched learner copy, carol a catalogued
    buggy submission and dave a catalogued correct-but-different one (where the problem has them).
    """
    if course_dir.exists():
        shutil.rmtree(course_dir)
    problems = cohort.assignments()
    print(f"demo course in {course_dir.name}/: releasing {len(problems)} problem(s)")
    cohort.new_course(course_dir, problems)
    for a in problems:
        standard = cohort.standard_submissions(course_dir, a)
        cases = notebooks.catalogue(cohort.SUBMISSIONS / a)
        cohort.submit(course_dir, a, "alice", standard["solution"])
        cohort.submit(course_dir, a, "bob", standard["blank"])
        for student, kind in (("carol", "mutant"), ("dave", "variant")):
            case = next((c for c in cases if c.kind == kind), None)
            if case is not None:
                cohort.submit(course_dir, a, student, cohort.case_submission(course_dir, a, case))
        cohort.autograde(course_dir, a, progress=True)
        nbgrader("generate_feedback", a, "--force", cwd=course_dir, quiet=True)
    table = export_grades(course_dir)
    print(f"feedback: {course_dir.name}/feedback/<student>/<problem>/*.html; grades: {course_dir.name}/grades.csv\n")
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coursetools", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("release", "autograde", "feedback"):
        sub.add_parser(name).add_argument("assignments", nargs="*")
    sub.choices["autograde"].add_argument("--jobs", type=int, default=1, help="learners graded at once")
    sub.add_parser("grades")
    sub.add_parser("demo")
    sub.add_parser("catalogue").add_argument("assignment")
    sub.add_parser("hostile").add_argument("assignment")
    sub.add_parser("clean").add_argument("notebooks", nargs="*", type=Path)
    sub.add_parser("grade").add_argument("notebook", type=Path)
    sub.add_parser("bench").add_argument("assignments", nargs="*")
    sub.add_parser("bench-grading")
    args = parser.parse_args(argv)
    root = Path.cwd()

    if args.command == "release":
        for a in _assignments(args.assignments, root):
            nbgrader("generate_assignment", a, "--force", cwd=root)
    elif args.command == "autograde":
        for a in _assignments(args.assignments, root):
            print(f"autograding {a} ...", flush=True)
            cohort.autograde(root, a, jobs=args.jobs, progress=True)
    elif args.command == "feedback":
        for a in _assignments(args.assignments, root):
            nbgrader("generate_feedback", a, "--force", cwd=root)
    elif args.command == "grades":
        print(export_grades(root))
    elif args.command == "demo":
        print(demo())
    elif args.command == "catalogue":
        with tempfile.TemporaryDirectory() as tmp:
            results, _ = cohort.grade_catalogue(Path(tmp), args.assignment)
            print(report.catalogue_table(results))
    elif args.command == "hostile":
        with tempfile.TemporaryDirectory() as tmp:
            results, seconds = hostile.grade_hostile(Path(tmp), args.assignment, progress=True)
            print(report.hostile_table(hostile.hostile_cases(), results, seconds))
    elif args.command == "clean":
        paths = args.notebooks or sorted(root.glob("source/*/*.ipynb"))
        for path in paths:
            nbformat.write(notebooks.clean(notebooks.read(path)), str(path))
            print(f"cleaned {path}")
    elif args.command == "grade":
        with tempfile.TemporaryDirectory() as tmp:
            print(f"grading {args.notebook} (this runs your notebook's answer and test cells) ...", flush=True)
            result = cohort.self_check(args.notebook.resolve(), Path(tmp))
            print(report.self_check_report(result, cohort.hidden_test_ids(result.assignment)))
    elif args.command == "bench-grading":
        with tempfile.TemporaryDirectory() as tmp:
            print(bench.bench_grading(Path(tmp)))
    elif args.command == "bench":
        for a in _assignments(args.assignments, root):
            seconds = notebooks.run_timed(root / "source" / a / f"{a}.ipynb")
            print(f"{a:32s} {seconds:6.1f} s  (target <= 30 s on 2 cores)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
