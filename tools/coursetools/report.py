"""Plain-text tables of grading results."""
from __future__ import annotations

from .results import NotebookResult


def catalogue_table(results: dict[str, NotebookResult]) -> str:
    """One line per graded case, failing tests with their messages underneath."""
    lines = []
    for student, r in sorted(results.items()):
        flag = "  NEEDS MANUAL GRADE" if r.needs_manual_grade else ""
        lines.append(f"{student:50s} {r.score:5.1f} / {r.max_score:.0f}{flag}")
        for cell in r.cells.values():
            if cell.score < cell.max_score:
                lines.append(f"    - {cell.grade_id} ({cell.score:g}/{cell.max_score:g}): {cell.message[:160]}")
    return "\n".join(lines)


def grades_table(rows: list[dict]) -> str:
    """student x assignment score table from ``nbgrader export``-style rows."""
    assignments = sorted({r["assignment"] for r in rows})
    students = sorted({r["student_id"] for r in rows})
    score = {(r["student_id"], r["assignment"]): (float(r["score"]), float(r["max_score"])) for r in rows}
    width = max([len(a) for a in assignments] + [7])
    header = f"{'student':12s}" + "".join(f"{a:>{width + 2}s}" for a in assignments) + f"{'total':>10s}"
    lines = [header, "-" * len(header)]
    for s in students:
        cells, got, out_of = [], 0.0, 0.0
        for a in assignments:
            value, maximum = score.get((s, a), (0.0, 0.0))
            got, out_of = got + value, out_of + maximum
            cells.append(f"{f'{value:g}/{maximum:g}':>{width + 2}s}")
        lines.append(f"{s:12s}" + "".join(cells) + f"{f'{got:g}/{out_of:g}':>10s}")
    return "\n".join(lines)


def flags_table(results: dict[str, list[NotebookResult]]) -> str:
    """The submissions flagged for tampering, one line per learner and problem, with the reasons."""
    lines = []
    for student, notebooks in sorted(results.items()):
        for r in notebooks:
            reasons = r.tampering_reasons()
            if reasons:
                lines.append(f"FLAGGED {student} / {r.assignment}: " + " | ".join(reasons))
    return "\n".join(lines)


def self_check_report(result: NotebookResult, hidden: set[str]) -> str:
    """Per-test report for a learner grading their own notebook; shows no test code."""
    lines = [f"{result.assignment}: {result.score:g} / {result.max_score:g} points", ""]
    for cell in result.cells.values():
        mark = "PASS" if cell.score == cell.max_score else "FAIL"
        label = cell.grade_id + (" (hidden)" if cell.grade_id in hidden else "")
        lines.append(f"  {mark}  {label:44s} {cell.score:g}/{cell.max_score:g}")
        if mark == "FAIL" and cell.message:
            lines.append(f"        {cell.message[:400]}")
    return "\n".join(lines)
