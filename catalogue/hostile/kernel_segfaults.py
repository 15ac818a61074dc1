"""The learner's class crashes the interpreter (a segmentation fault) when it is built."""
EXPECT = "zero"
MESSAGE = "KernelDied"


def submission(kit):
    return kit.with_init("""
import ctypes
ctypes.string_at(0)
""")
