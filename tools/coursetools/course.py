"""The course layout: the one place that knows where each notebook and catalogue lives.

Like nbgrader's ``CourseDirectory.format_path``: every path to a problem's notebook, in any
course directory (this repository, a scratch course in a test, the demo), is built here.

    source/<NN-slug>/<NN-slug>.ipynb                      instructor notebook
    release/<NN-slug>/<NN-slug>.ipynb                     learner copy (nbgrader generate_assignment)
    submitted/<student>/<NN-slug>/<NN-slug>.ipynb         what a learner handed in
    autograded/<student>/<NN-slug>/<NN-slug>.ipynb        the graded notebook, outputs included
    feedback/<student>/<NN-slug>/<NN-slug>.html           the learner's feedback page
    catalogue/submissions/<NN-slug>/{mutants,variants}/   buggy and correct-but-different answers
    catalogue/hostile/                                    hostile and mangled submissions, any problem
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Course:
    """A course directory laid out as nbgrader expects it (``nbgrader_config.py`` at its root)."""

    root: Path

    @staticmethod
    def notebook_name(assignment: str) -> str:
        return f"{assignment}.ipynb"

    def source(self, assignment: str) -> Path:
        return self.root / "source" / assignment / self.notebook_name(assignment)

    def release(self, assignment: str) -> Path:
        return self.root / "release" / assignment / self.notebook_name(assignment)

    def submitted(self, student: str, assignment: str) -> Path:
        return self.root / "submitted" / student / assignment / self.notebook_name(assignment)

    def autograded(self, student: str, assignment: str) -> Path:
        return self.root / "autograded" / student / assignment / self.notebook_name(assignment)

    def feedback(self, student: str, assignment: str) -> Path:
        return self.root / "feedback" / student / assignment / f"{assignment}.html"

    def nbgrader_config(self):
        """The course's nbgrader configuration, as ``nbgrader`` run in the course root loads it."""
        from traitlets.config.loader import PyFileConfigLoader

        return PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config()

    def exchange_root(self) -> Path:
        """The nbgrader exchange the course is configured with (nbgrader's default if unset)."""
        from nbgrader.exchange.default.exchange import Exchange

        return Path(Exchange(config=self.nbgrader_config()).root)

    def gradebook_url(self) -> str:
        return f"sqlite:///{self.root / 'gradebook.db'}"

    def assignments(self) -> list[str]:
        """Problem ids (``NN-slug``) that have an instructor notebook."""
        return sorted(p.parent.name for p in (self.root / "source").glob("*/*.ipynb")
                      if p.stem == p.parent.name)

    def submitted_students(self, assignment: str) -> list[str]:
        return sorted(p.parent.name for p in (self.root / "submitted").glob(f"*/{assignment}"))

    def submitted_notebooks(self, assignment: str) -> list[Path]:
        return sorted((self.root / "submitted").glob(f"*/{assignment}/{self.notebook_name(assignment)}"))

    # The catalogues are course data kept in the repository, next to source/.
    def cases_dir(self, assignment: str) -> Path:
        return self.root / "catalogue" / "submissions" / assignment

    def hostile_dir(self) -> Path:
        return self.root / "catalogue" / "hostile"

    def submit(self, student: str, assignment: str, nb) -> Path:
        """Hand in ``nb`` (a notebook, or the raw text of a broken upload) as ``student``."""
        target = self.submitted(student, assignment)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(nb, str):
            target.write_text(nb)
        else:
            nbformat.write(nb, str(target))
        return target


REPO = Course(REPO_ROOT)


def new_course(course_dir: Path, assignment_ids: list[str], repo: Course = REPO) -> Course:
    """A fresh course directory with the config and the given instructor notebooks, released."""
    from .nbgrader_cli import nbgrader

    course = Course(Path(course_dir))
    course.root.mkdir(parents=True, exist_ok=True)
    shutil.copy(repo.root / "nbgrader_config.py", course.root / "nbgrader_config.py")
    for a in assignment_ids:
        shutil.copytree(repo.source(a).parent, course.source(a).parent, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        nbgrader("generate_assignment", a, "--force", cwd=course.root, quiet=True)
    return course
