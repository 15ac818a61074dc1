"""Exporting grades: ``nbgrader export`` to grades.csv, a printed table, the tampering flags."""
from __future__ import annotations

import csv

from . import report
from .course import Course
from .nbgrader_cli import nbgrader
from .results import read_results


def export_grades(course: Course) -> str:
    """``nbgrader export`` to grades.csv in the course directory, returned as a printed table
    followed by the submissions flagged for tampering."""
    nbgrader("export", "--to", "grades.csv", cwd=course.root, quiet=True)
    with open(course.root / "grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    flagged = [report.flags_table(read_results(course, a)) for a in sorted({r["assignment"] for r in rows})]
    flags = "\n".join(f for f in flagged if f)
    return report.grades_table(rows) + ("\n\nFlagged for tampering (these tests scored 0):\n" + flags if flags else "")
