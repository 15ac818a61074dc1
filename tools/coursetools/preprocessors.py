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
