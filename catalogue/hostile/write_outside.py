"""The answer tries to overwrite the gradebook, the config and other notebooks, then works.

Grading runs in autograded/<student>/<problem>/ of the course directory. Every write outside
that directory must fail; tests/test_hostile.py also checks from outside that the files are
unchanged and the other learners' grades are intact.
"""
EXPECT = "full"


def submission(kit):
    a = kit.assignment
    targets = ["gradebook.db", "nbgrader_config.py", f"submitted/solution/{a}/{a}.ipynb",
               f"source/{a}/{a}.ipynb", f"release/{a}/{a}.ipynb", f"autograded/solution/{a}/{a}.ipynb"]
    return kit.with_prelude(f"""
import os

_written = []
for _target in {targets!r}:
    _path = os.path.join("..", "..", "..", _target)
    try:
        with open(_path, "w") as _f:
            _f.write("overwritten by a learner")
        _written.append(_path)
    except OSError:
        pass
if _written:
    raise RuntimeError(f"the grader let learner code write {{_written}}")
""")
