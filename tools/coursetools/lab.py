"""The two JupyterLabs: the learner's and the instructor's.

The learner's lab (``make lab``) opens on the learner's own workspace, ``work/`` (git-ignored):
the learner copies are copied there the first time and new problems are added on later runs,
but a file the learner has is never overwritten, so ``git pull`` and ``make release`` cannot
touch their work. It shows nbgrader's Validate and none of the instructor tools, and opens on a
course map. The instructor's lab (``make instructor-lab``) opens the course root with Formgrader
and a course-local exchange.

Each lab is a Jupyter configuration directory in ``tools/lab/<kind>/`` (server extensions,
disabled JupyterLab plugins, log level), put first on ``JUPYTER_CONFIG_PATH``, so the same
installation serves both.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from .course import REPO, REPO_ROOT, Course

LAB_CONFIG = REPO_ROOT / "tools" / "lab"
COURSE_MAP = "START-HERE.ipynb"
# README's course table: | 01 | [Title](release/...) | ★☆☆ | 45 min | 10 | available |
_ROW = re.compile(r"^\| (\d\d) \| (.+?) \| (★+☆*) \| ([^|]+?) \| (\d+) \| (\w+) \|$")


def course_table(readme: Path = REPO_ROOT / "README.md") -> list[dict]:
    """The problems as README's course table lists them (the one list of all 18)."""
    rows = []
    for line in readme.read_text().splitlines():
        match = _ROW.match(line.strip())
        if match:
            number, title, stars, time, points, status = match.groups()
            title = re.sub(r"\[(.+?)\]\(.+?\)", r"\1", title)
            rows.append(dict(number=number, title=title, stars=stars, time=time.strip(),
                             points=int(points), status=status))
    return rows


def released(course: Course) -> list[str]:
    """The problems that have a learner copy."""
    return [a for a in course.assignments() if course.release(a).exists()]


def course_map(course: Course = REPO) -> nbformat.NotebookNode:
    """The learner's start page: where to begin, every problem and its status, how to check work."""
    slugs = {a[:2]: a for a in released(course)}
    lines = []
    for row in course_table(course.root / "README.md"):
        slug = slugs.get(row["number"])
        title = f"[{row['title']}]({slug}/{slug}.ipynb)" if slug else row["title"]
        status = "available" if slug else row["status"]
        lines.append(f"| {row['number']} | {title} | {row['stars']} | {row['time']} | {status} |")
    text = "\n".join([
        "# learn-gpt2: build GPT-2 from scratch",
        "",
        "**Where to begin:** open [01 Token & Position Embeddings](01-embeddings/01-embeddings.ipynb). "
        "Every notebook stands alone (earlier building blocks come from the `gpt2` package), so "
        "you can also start anywhere.",
        "",
        "These notebooks are **your own copies**: `make lab` never overwrites them, and adds the "
        "notebooks of new problems when the course gains some. (This page is rewritten by `make lab`.)",
        "",
        "| # | Problem | Difficulty | Time | Status |",
        "|---|---|---|---|---|",
        *lines,
        "",
        "**Checking your work.** Run the test cells under your answer. The *Validate* button runs "
        "the visible tests of the whole notebook (not the activities). To grade yourself as the "
        "instructor will, hidden tests included, run in a terminal at the course root: "
        "`make grade NB=work/01-embeddings/01-embeddings.ipynb`.",
        "",
        "**On Binder** your work lives only as long as the session: download your notebooks "
        "(right-click, *Download*) before you leave.",
    ])
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def prepare_workspace(work: Path, course: Course = REPO) -> list[str]:
    """Copy each problem's learner folder into ``work/<NN-slug>/`` without overwriting anything
    the learner has; rewrite the course map. Returns the problems whose notebook was added."""
    added = []
    for assignment in released(course):
        release_dir = course.release(assignment).parent
        for path in sorted(p for p in release_dir.rglob("*") if p.is_file()):
            target = work / assignment / path.relative_to(release_dir)
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
                target.chmod(0o644)  # the learner's to edit, whatever the release's mode
                if path.name == course.notebook_name(assignment):
                    added.append(assignment)
    nbformat.write(course_map(course), str(work / COURSE_MAP))
    return added


def lab_command(kind: str, root: Path, extra: list[str] = ()) -> tuple[list[str], dict]:
    """argv and environment of ``jupyter lab`` for the ``learner`` or ``instructor`` lab."""
    env = {**os.environ, "JUPYTER_CONFIG_PATH": os.pathsep.join(
        [str(LAB_CONFIG / kind), *filter(None, [os.environ.get("JUPYTER_CONFIG_PATH")])])}
    argv = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={root}"]
    if kind == "learner":
        argv.append(f"--LabApp.default_url=/lab/tree/{COURSE_MAP}")
    if hasattr(os, "getuid") and os.getuid() == 0:
        argv.append("--allow-root")  # containers and CI run as root; Jupyter refuses unless told
    return argv + list(extra), env


def prepare(kind: str, course: Course = REPO, work: Path | None = None) -> Path:
    """Get a lab's root ready and return it: the learner's workspace ``work``, filled from the
    course's learner copies, or the course root with its exchange made (Formgrader warns while
    the exchange is missing; the course's own is course-local and git-ignored)."""
    if kind == "learner":
        added = prepare_workspace(work, course)
        print(f"Your workspace: {work}/ ({len(added)} new problem notebook(s) copied; "
              "existing files are never overwritten)", flush=True)
        return work
    course.exchange_root().mkdir(parents=True, exist_ok=True)
    return course.root


@contextlib.contextmanager
def serving(kind: str, course: Course = REPO, work: Path | None = None, token: str = "learn-gpt2"):
    """A lab running without a browser on a free port, for as long as the block runs: yields
    (port, root). The tests and ``make screenshots`` ask it over HTTP what it serves."""
    import socket
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = prepare(kind, course, work)
    argv, env = lab_command(kind, root, ["--no-browser", f"--port={port}", f"--IdentityProvider.token={token}"])
    process = subprocess.Popen(argv, env=env, cwd=course.root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(240):
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/api/status",
                                                 headers={"Authorization": f"token {token}"})
                with urllib.request.urlopen(request, timeout=5):
                    break
            except OSError:
                time.sleep(0.5)
        yield port, root
    finally:
        process.terminate()
        process.wait(timeout=30)


def open_lab(kind: str, work: Path | None = None, extra: list[str] = ()) -> None:
    """Run the ``learner`` lab on ``work`` or the ``instructor`` lab on the course root."""
    argv, env = lab_command(kind, prepare(kind, REPO, work), extra)
    # Validate and Formgrader read nbgrader_config.py from the directory the server runs in.
    raise SystemExit(subprocess.call(argv, env=env, cwd=REPO.root))
