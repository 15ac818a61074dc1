"""The answer looks for the instructor's notebooks, the gradebook and other learners' work, then works.

Grading runs in the course directory, in autograded/<student>/<problem>/, and the repository
with source/ is the course directory or lies above it. The sandbox shows none of it, so the
search finds nothing and the grade is the implementation's; were anything found, the cell
would fail. (tests/test_hostile.py runs the same search outside the sandbox, where it finds them.)
"""
EXPECT = "full"
PROBE = """
import glob
import os

_found = []
for _up in range(1, 8):
    _root = os.path.join(*[".."] * _up)
    for _pattern in ("source/*/*.ipynb", "gradebook.db", "submitted/*/*/*.ipynb", "autograded/*/*/*.ipynb",
                     "catalogue/submissions/*/*/*.py", "nbgrader_config.py"):
        _found += glob.glob(os.path.join(_root, _pattern))
for _pattern in ("/usr/local/share/nbgrader/exchange/*/*/*", "/srv/nbgrader/exchange/*/*/*", "/tmp/**/gradebook.db", os.path.expanduser("~/*/gradebook.db")):
    _found += glob.glob(_pattern, recursive=True)
_found = [p for p in _found if not os.path.realpath(p).startswith(os.getcwd() + os.sep)]
for _mine in glob.glob("*.ipynb"):  # the notebook being graded, hidden tests restored, is blanked
    with open(_mine) as _f:
        if "### BEGIN " + "HIDDEN TESTS" in _f.read():
            _found.append(_mine)
if _found:
    raise RuntimeError(f"the grader let learner code see {len(_found)} private files, e.g. {_found[:3]}")
"""


def submission(kit):
    return kit.with_prelude(PROBE)
