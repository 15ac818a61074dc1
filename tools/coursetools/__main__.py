"""learn-gpt2 course tooling (the Makefile's targets call these).

    python -m coursetools lab [--work DIR]    the learner's lab on their own workspace (work/)
    python -m coursetools instructor-lab      the instructor's lab on the course root, Formgrader included
    python -m coursetools workspace [--work DIR]   fill the learner's workspace only (Binder's postBuild)
    python -m coursetools screenshots         both labs in headless Chromium -> docs/screenshots/
    python -m coursetools diagrams            each problem's "you are here" diagram -> source/<NN-slug>/

    python -m coursetools release [A ...]     nbgrader generate_assignment -> release/ (all problems by default)
    python -m coursetools autograde [A ...]   autograde everything in submitted/
    python -m coursetools feedback [A ...]    generate_feedback for the autograded submissions
    python -m coursetools grades              nbgrader export -> grades.csv, and print the grades table
    python -m coursetools demo                the whole instructor flow on a small demo cohort in .demo/
    python -m coursetools catalogue A         grade the solution, the blank copy and every catalogued
                                              mutant/variant of problem A through real nbgrader
                                              (and the warm process), and print the scores;
                                              with --warm, in the warm process only (seconds)
    python -m coursetools hostile A           grade every hostile and mangled case (catalogue/hostile/)
                                              for problem A through nbgrader, and print each score
    python -m coursetools grade NB            grade your own notebook, hidden tests included, and
                                              print a per-test report (for self-paced learners)
    python -m coursetools clean [NB ...]      strip outputs and editor metadata from source notebooks
    python -m coursetools bench [A ...]       run each solution notebook top to bottom and time it
    python -m coursetools bench-grading       grade a cohort of 24 with 1 and with 2 workers: speed-up
    python -m coursetools bench-suite [N]     `make test` on a fresh clone with N problems (18), the
                                              missing ones stand-in copies of the existing ones
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import nbformat

from . import bench, catalogue, hostile, lab, notebooks, report, selfcheck
from .autograde import autograde
from .course import Course
from .demo import demo
from .grades import export_grades
from .nbgrader_cli import nbgrader


def _assignments(names: list[str], course: Course) -> list[str]:
    known = course.assignments()
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise SystemExit(f"unknown problem(s) {unknown}; known: {known}")
    return names or known


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
    sub.choices["catalogue"].add_argument("--warm", action="store_true", help="warm process only, no nbgrader")
    sub.add_parser("hostile").add_argument("assignment")
    sub.add_parser("clean").add_argument("notebooks", nargs="*", type=Path)
    sub.add_parser("grade").add_argument("notebook", type=Path)
    sub.add_parser("bench").add_argument("assignments", nargs="*")
    sub.add_parser("bench-grading")
    sub.add_parser("bench-suite").add_argument("problems", nargs="?", type=int, default=18)
    sub.add_parser("lab").add_argument("--work", type=Path, default=Path("work"), help="the learner's workspace")
    sub.add_parser("instructor-lab")
    sub.add_parser("workspace").add_argument("--work", type=Path, default=Path("work"))
    sub.add_parser("screenshots")
    sub.add_parser("diagrams")
    args = parser.parse_args(argv)
    course = Course(Path.cwd())

    if args.command == "diagrams":
        from .diagram import write_diagrams

        print("wrote the diagrams of", ", ".join(write_diagrams(course)))
    elif args.command == "screenshots":
        from .screenshots import take_screenshots

        take_screenshots()
    elif args.command == "workspace":
        lab.prepare("learner", course, args.work.resolve())
    elif args.command in ("lab", "instructor-lab"):
        lab.open_lab("learner", args.work.resolve()) if args.command == "lab" else lab.open_lab("instructor")
    elif args.command == "release":
        for a in _assignments(args.assignments, course):
            nbgrader("generate_assignment", a, "--force", cwd=course.root)
    elif args.command == "autograde":
        for a in _assignments(args.assignments, course):
            print(f"autograding {a} ...", flush=True)
            autograde(course, a, jobs=args.jobs, progress=True)
    elif args.command == "feedback":
        for a in _assignments(args.assignments, course):
            nbgrader("generate_feedback", a, "--force", cwd=course.root)
    elif args.command == "grades":
        print(export_grades(course))
    elif args.command == "demo":
        print(demo())
    elif args.command == "catalogue":
        with tempfile.TemporaryDirectory() as tmp:
            graded = catalogue.grade_catalogue(Path(tmp), args.assignment, sweep=not args.warm, warm_only=args.warm)
            print(report.catalogue_table(graded.warm if args.warm else graded.nbgrader))
    elif args.command == "hostile":
        with tempfile.TemporaryDirectory() as tmp:
            cases = hostile.hostile_cases()
            results, seconds = hostile.grade_hostile(Path(tmp), args.assignment, cases, progress=True)
            print(hostile.table(cases, results, seconds))
    elif args.command == "clean":
        paths = args.notebooks or [course.source(a) for a in course.assignments()]
        for path in paths:
            nbformat.write(notebooks.clean(notebooks.read(path), path.stem), str(path))
            print(f"cleaned {path}")
    elif args.command == "grade":
        with tempfile.TemporaryDirectory() as tmp:
            print(f"grading {args.notebook} (this runs your notebook's answer and test cells) ...", flush=True)
            result = selfcheck.self_check(args.notebook.resolve(), Path(tmp))
            print(report.self_check_report(result, selfcheck.hidden_test_ids(result.assignment)))
    elif args.command == "bench-grading":
        with tempfile.TemporaryDirectory() as tmp:
            print(bench.bench_grading(Path(tmp)))
    elif args.command == "bench-suite":
        with tempfile.TemporaryDirectory() as tmp:
            return bench.bench_suite(Path(tmp), args.problems)
    elif args.command == "bench":
        for a in _assignments(args.assignments, course):
            seconds = notebooks.run_timed(course.source(a))
            print(f"{a:32s} {seconds:6.1f} s  (target <= 30 s on 2 cores)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
