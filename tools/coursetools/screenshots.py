"""`make screenshots`: the learner's and the instructor's lab as a real browser shows them.

Starts each lab without a browser (``lab.serving``) and has headless Chromium (``chromium`` or
``google-chrome`` on PATH; Debian/Ubuntu: ``sudo apt install chromium``) take a picture:

    docs/screenshots/learner-lab.png        the learner's lab on problem 01 (Validate, no instructor tools)
    docs/screenshots/learner-start.png      the course map the learner's lab opens on
    docs/screenshots/instructor-formgrader.png   the instructor's Formgrader
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from . import lab
from .course import REPO, new_course

OUT = REPO.root / "docs" / "screenshots"
TOKEN = "learn-gpt2-screenshots"


def browser() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return name
    raise SystemExit("make screenshots needs Chromium: e.g. sudo apt install chromium")


def shoot(url: str, png: Path, wait_ms: int = 25_000) -> None:
    """Headless Chromium renders the page (JupyterLab builds it in JavaScript) and saves it."""
    png.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([browser(), "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--user-data-dir={profile}", "--window-size=1440,900",
                        f"--virtual-time-budget={wait_ms}", f"--screenshot={png}", url],
                       check=True, capture_output=True, timeout=180)
    print(f"wrote {png.relative_to(REPO.root)}", flush=True)


def take_screenshots() -> None:
    first = REPO.assignments()[0]
    with tempfile.TemporaryDirectory() as tmp:
        with lab.serving("learner", REPO, Path(tmp) / "work", TOKEN) as (port, _):
            base = f"http://127.0.0.1:{port}"
            shoot(f"{base}/lab/tree/{lab.COURSE_MAP}?token={TOKEN}", OUT / "learner-start.png")
            shoot(f"{base}/lab/tree/{first}/{first}.ipynb?token={TOKEN}", OUT / "learner-lab.png")
        course = new_course(Path(tmp) / "course", [first])
        with lab.serving("instructor", course, None, TOKEN) as (port, _):
            shoot(f"http://127.0.0.1:{port}/formgrader?token={TOKEN}", OUT / "instructor-formgrader.png")
