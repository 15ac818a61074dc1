"""What grading produced: per-test and per-notebook results, read from nbgrader's gradebook.

Low in the stack: it knows the course layout and nbgrader's notebook metadata, nothing of how
the grades were made, so reports, the catalogue and the hostile cases all read results here.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import notebooks
from .course import Course

TAMPERING = "TamperingDetected"  # the error name that flags a submission in grade reports


@dataclass
class CellResult:
    grade_id: str
    score: float
    max_score: float
    message: str = ""  # the error the test raised, if any


@dataclass
class NotebookResult:
    student: str
    assignment: str
    score: float
    max_score: float
    cells: dict[str, CellResult] = field(default_factory=dict)
    needs_manual_grade: bool = False

    def tampering_reasons(self) -> list[str]:
        return sorted({c.message.removeprefix(f"{TAMPERING}: ") for c in self.cells.values()
                       if c.message.startswith(TAMPERING)})

    def per_test_scores(self) -> dict[str, float]:
        return {gid: cell.score for gid, cell in self.cells.items()}


def error_messages(nb) -> dict[str, str]:
    """``ename: evalue`` of the error raised by each graded cell of an executed notebook."""
    messages = {}
    for cell in nb.cells:
        if cell.cell_type != "code" or not notebooks.is_graded(cell):
            continue
        grade_id = notebooks.nbgrader_meta(cell)["grade_id"]
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                messages[grade_id] = f"{out['ename']}: {out['evalue']}"
            elif out.get("output_type") == "stream" and out.get("name") == "stderr":
                messages.setdefault(grade_id, "output on stderr: " + out["text"][:500])
    return messages


def read_results(course: Course, assignment: str) -> dict[str, list[NotebookResult]]:
    """Scores per student from the gradebook, with the failing tests' messages."""
    from nbgrader.api import Gradebook

    results: dict[str, list[NotebookResult]] = {}
    with Gradebook(course.gradebook_url()) as gb:
        for submission in gb.assignment_submissions(assignment):
            student = submission.student.id
            for snb in submission.notebooks:
                executed = course.autograded(student, assignment).with_name(f"{snb.name}.ipynb")
                messages = error_messages(notebooks.read(executed)) if executed.exists() else {}
                result = NotebookResult(student, assignment, snb.score, snb.max_score,
                                        needs_manual_grade=snb.needs_manual_grade)
                for grade in snb.grades:
                    result.cells[grade.name] = CellResult(
                        grade.name, grade.score, grade.max_score, messages.get(grade.name, ""))
                results.setdefault(student, []).append(result)
    return results
