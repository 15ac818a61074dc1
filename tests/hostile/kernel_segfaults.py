"""The learner's class crashes the interpreter (a segmentation fault) when it is built."""
EXPECT = "zero"
MESSAGE = "KernelDied"


def submission(kit):
    return kit.with_epilogue("""
import ctypes

def _crash(self, *args, **kwargs):
    ctypes.string_at(0)

for _name in COMPONENTS:
    globals()[_name].__init__ = _crash
""")
