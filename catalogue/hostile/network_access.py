"""The answer tries to reach the network (a public host and a server on the grading machine), then works."""
EXPECT = "full"


def submission(kit):
    return kit.with_prelude("""
import os
import socket

_reached = []
_targets = [("pypi.org", 443), ("1.1.1.1", 53)]
if os.environ.get("HOSTILE_PROBE_PORT"):  # a server the test starts on the grading machine
    _targets.append(("127.0.0.1", int(os.environ["HOSTILE_PROBE_PORT"])))
for _target in _targets:
    try:
        socket.create_connection(_target, timeout=3).close()
        _reached.append(_target)
    except OSError:
        pass
if _reached:
    raise RuntimeError(f"the grader let learner code reach {_reached}")
""")
