"""nbgrader preprocessors the course adds to autograding (configured in nbgrader_config.py)."""
from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor

SKIP_TAG = "skip-execution"  # nbclient's tag for cells it must not run


class SkipActivities(NbGraderPreprocessor):
    """Do not execute the code cells after the last answer or test cell.

    Those cells are the notebook's activities (plots, widgets, small training runs): they can
    change no grade, since every test has already run, but they are most of a notebook's run
    time. Skipping them makes a batch several times faster.
    """

    def preprocess(self, nb, resources):
        graded = [i for i, cell in enumerate(nb.cells)
                  if cell.metadata.get("nbgrader", {}).get("grade")
                  or cell.metadata.get("nbgrader", {}).get("solution")]
        for cell in nb.cells[max(graded, default=len(nb.cells)) + 1:]:
            if cell.cell_type == "code":
                tags = cell.metadata.setdefault("tags", [])
                if SKIP_TAG not in tags:
                    tags.append(SKIP_TAG)
        return nb, resources


class HideHiddenTests(NbGraderPreprocessor):
    """Keep hidden tests out of learner feedback.

    nbgrader's feedback is the autograded notebook as HTML, hidden tests included verbatim
    (jupyter/nbgrader#917), and a traceback quotes the code around the failing line. In every
    test cell this replaces each hidden region by a one-line placeholder and cuts each traceback
    to its last line, ``ErrorName: message``: the messages are written for learners and say what
    was expected and what was seen.
    """

    begin, end = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
    placeholder = "# [hidden test: its code is not shown; the message below says what it checked]"

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade"):
            return cell, resources
        lines, kept, hidden = cell.source.splitlines(), [], False
        for line in lines:
            if line.strip() == self.begin:
                hidden = True
                kept.append(line[: len(line) - len(line.lstrip())] + self.placeholder)
            elif line.strip() == self.end:
                hidden = False
            elif not hidden:
                kept.append(line)
        cell.source = "\n".join(kept)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [f"{output['ename']}: {output['evalue']}"]
        return cell, resources
