"""The learner's lab and the instructor's: own workspace, which tools each shows, Validate.

The labs are started for real (``jupyter lab`` as ``make lab`` and ``make instructor-lab`` start
them, without a browser) and asked over HTTP what they serve.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from coursetools import catalogue, lab, notebooks
from coursetools.course import REPO, new_course

from helpers import ASSIGNMENTS, xdist_group

TOKEN = "learn-gpt2-test"
NBGRADER_PLUGINS = {"formgrader", "course-list", "assignment-list", "create-assignment"}


def test_workspace_is_copied_once_and_never_overwritten(tmp_path):
    work = tmp_path / "work"
    assert lab.prepare_workspace(work) == ASSIGNMENTS
    first = work / ASSIGNMENTS[0] / REPO.notebook_name(ASSIGNMENTS[0])
    assert notebooks.read(first) == notebooks.read(REPO.release(ASSIGNMENTS[0]))
    first.write_text("the learner's work")
    last = work / ASSIGNMENTS[-1]
    for path in last.iterdir():  # a problem the learner has not got yet (new in a later pull)
        path.unlink()
    assert lab.prepare_workspace(work) == [ASSIGNMENTS[-1]]
    assert first.read_text() == "the learner's work"
    assert (last / REPO.notebook_name(ASSIGNMENTS[-1])).exists()


def test_the_course_map_lists_every_problem_and_where_to_begin(tmp_path):
    lab.prepare_workspace(tmp_path)
    text = notebooks.read(tmp_path / lab.COURSE_MAP).cells[0].source
    rows = lab.course_table()
    assert [r["number"] for r in rows] == [f"{n:02d}" for n in range(1, 19)]
    for row in rows:
        assert f"| {row['number']} |" in text
    for a in ASSIGNMENTS:
        assert f"({a}/{a}.ipynb)" in text and (tmp_path / a / f"{a}.ipynb").exists()
    assert "Where to begin" in text and "make grade NB=work/" in text


def _request(port: int, path: str, data: dict | None = None) -> tuple[int, str]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"token {TOKEN}"},
        data=None if data is None else json.dumps(data).encode(), method="GET" if data is None else "POST")
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture(scope="module")
def running_lab(tmp_path_factory):
    """kind -> (port, root, course): the learner's lab on a fresh workspace of this course, the
    instructor's on a scratch course (its Formgrader writes a gradebook)."""
    servers = {}
    with contextlib.ExitStack() as stack:
        def start(kind: str):
            if kind not in servers:
                if kind == "learner":
                    course, work = REPO, tmp_path_factory.mktemp("work")
                else:
                    course, work = new_course(tmp_path_factory.mktemp("course"), ASSIGNMENTS[:1]), None
                port, root = stack.enter_context(lab.serving(kind, course, work, TOKEN))
                servers[kind] = port, root, course
            return servers[kind]

        yield start


def _disabled_plugins(port: int) -> set[str]:
    page = _request(port, "/lab")[1]
    config = json.loads(page.split('id="jupyter-config-data"', 1)[1].split(">", 1)[1].split("</script>", 1)[0])
    return set(config["disabledExtensions"])


@pytest.mark.slow
@xdist_group("labs")
def test_the_learner_lab_shows_validate_and_no_instructor_tool(running_lab):
    port, _, _ = running_lab("learner")
    disabled = _disabled_plugins(port)
    assert {f"@jupyter/nbgrader:{p}" for p in NBGRADER_PLUGINS} <= disabled
    assert "@jupyter/nbgrader:validate-assignment" not in disabled
    assert "@jupyterlab/apputils-extension:announcements" in disabled  # no news pop-up
    assert _request(port, "/formgrader")[0] == 404
    assert _request(port, "/assignments")[0] == 404 and _request(port, "/courses")[0] == 404
    assert _request(port, "/nbgrader_version?version=0.9.6")[0] == 200  # Validate's server side
    assert _request(port, f"/api/contents/{lab.COURSE_MAP}")[0] == 200  # the start page


@pytest.mark.slow
@xdist_group("labs")
def test_the_instructor_lab_has_formgrader_and_an_exchange(running_lab):
    port, _, course = running_lab("instructor")
    assert not {f"@jupyter/nbgrader:{p}" for p in NBGRADER_PLUGINS} & _disabled_plugins(port)
    assert _request(port, "/formgrader")[0] == 200
    assert course.exchange_root().is_dir(), "Formgrader warns when the exchange is missing"
    assert course.exchange_root().is_relative_to(course.root), "a course-local exchange by default"


@pytest.mark.slow
@xdist_group("labs")
def test_validate_in_the_learner_lab_runs_the_tests_not_the_activities(running_lab):
    port, work, _ = running_lab("learner")
    assignment = ASSIGNMENTS[0]
    solved = catalogue.standard_submissions(REPO, assignment)["solution"]
    activities = notebooks.activity_cells(solved)
    assert activities and all(notebooks.SKIP_TAG in c.metadata.get("tags", []) for c in activities)
    activities[0].source = "raise RuntimeError('Validate ran an activity')"
    path = f"{assignment}/{REPO.notebook_name(assignment)}"
    nbformat.write(solved, str(work / path))
    status, body = _request(port, "/assignments/validate", {"path": path})
    assert status == 200, body
    answer = json.loads(body)
    assert answer["success"] and not answer["value"].get("failed"), body  # every test passed
    assert "Validate ran an activity" not in body


# --- the install (tools/install.py, what `make setup` runs) ----------------------------------------
@pytest.fixture
def install(monkeypatch):
    import importlib.util

    spec = importlib.util.spec_from_file_location("install", REPO.root / "tools" / "install.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_install_says_clearly_when_python_is_too_old(install, monkeypatch, capsys):
    monkeypatch.setattr(install.sys, "version_info", (3, 9, 18))
    with pytest.raises(SystemExit):
        install.check_python()
    assert "needs Python 3.10 or newer" in capsys.readouterr().err


def test_install_says_clearly_when_the_venv_module_is_missing(install, monkeypatch, capsys):
    import builtins

    real_import = builtins.__import__

    def no_venv(name, *args, **kwargs):
        if name == "venv":
            raise ImportError("No module named 'venv'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_venv)
    with pytest.raises(SystemExit):
        install.check_python()
    err = capsys.readouterr().err
    assert "venv module is missing" in err and "sudo apt install python3" in err


@pytest.mark.parametrize("platform,gpu,reachable,expected", [
    ("linux", False, True, [["--index-url", "https://download.pytorch.org/whl/cpu", "torch==2.13.0"],
                            ["torch==2.13.0"]]),
    ("linux", False, False, [["torch==2.13.0"]]),   # this machine: pip's own wheels, no CPU index
    ("linux", True, True, [["torch==2.13.0"]]),     # CUDA wheels are what a GPU machine wants
    ("darwin", False, True, [["torch==2.13.0"]]),   # macOS wheels are CPU/MPS already
])
def test_install_takes_pytorch_s_cpu_wheels_on_linux_without_a_gpu(install, monkeypatch, platform, gpu,
                                                                     reachable, expected):
    monkeypatch.setattr(install.sys, "platform", platform)
    monkeypatch.setattr(install, "has_nvidia_gpu", lambda: gpu)
    monkeypatch.setattr(install, "reachable", lambda url, timeout=5.0: reachable)
    assert install.torch_sources() == expected


# --- Binder (repo2docker: environment.yml, then postBuild) -------------------------------------------
@pytest.mark.slow
def test_binder_s_build_steps_set_up_the_learner_lab(tmp_path, install):
    """What can be proved here without Docker or conda: environment.yml asks for what `make setup`
    installs, and postBuild, run as repo2docker runs it (in the repository, in an environment
    where the course imports), sets up the learner's lab; `make` there uses that environment."""
    import sys

    import yaml

    pip = next(d["pip"] for d in yaml.safe_load((REPO.root / "environment.yml").read_text())["dependencies"]
               if isinstance(d, dict))
    assert install.TORCH in pip and f"--extra-index-url {install.CPU_INDEX}" in pip and "-e .[course]" in pip

    repo, home = tmp_path / "repo", tmp_path / "home"
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=REPO.root, capture_output=True, text=True, check=True)
    for name in files.stdout.splitlines():
        if (REPO.root / name).is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO.root / name, repo / name)
    env = {**os.environ, "HOME": str(home), "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    built = subprocess.run(["bash", "postBuild"], cwd=repo, env=env, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-2000:]

    assert (repo / "work" / lab.COURSE_MAP).exists()
    assert all((repo / "work" / a / REPO.notebook_name(a)).exists() for a in ASSIGNMENTS)
    for name in ("jupyter_server_config.json", "labconfig/page_config.json"):
        assert (home / ".jupyter" / name).read_text() == (lab.LAB_CONFIG / "learner" / name).read_text()
    dry_run = subprocess.run(["make", "-n", "grade", f"NB=work/{ASSIGNMENTS[0]}/{ASSIGNMENTS[0]}.ipynb",
                              f"PYTHON={sys.executable}"], cwd=repo, env=env, capture_output=True, text=True)
    assert dry_run.returncode == 0, dry_run.stderr
    assert "install.py" not in dry_run.stdout and str(repo / ".venv") not in dry_run.stdout, "no second environment"
    assert f"{Path(sys.executable).parent}/python -m coursetools grade" in dry_run.stdout, "the existing one is used"
