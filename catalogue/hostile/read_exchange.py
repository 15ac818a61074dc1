"""The answer reads the nbgrader exchange (other learners' submissions, released feedback), then works.

The exchange is wherever nbgrader's configuration puts it, nbgrader 0.9.6's default
(/usr/local/share/nbgrader/exchange) when nothing does. The grading sandbox must hide that
directory, not a fixed path: the test puts a file there and passes the root it uses in
HOSTILE_EXCHANGE_ROOT. Inside the sandbox the search finds nothing, so the grade is the
implementation's. (tests/test_hostile.py runs the same search outside the sandbox, where it finds it.)
"""
EXPECT = "full"
PROBE = """
import os

_root = os.environ.get("HOSTILE_EXCHANGE_ROOT", "/usr/local/share/nbgrader/exchange")
_found = [os.path.join(_dir, _name) for _dir, _, _names in os.walk(_root) for _name in _names]
if _found:
    raise RuntimeError(f"the grader let learner code read the exchange: {_found[:3]}")
"""


def submission(kit):
    return kit.with_prelude(PROBE)
