"""The answer calls os._exit: the kernel dies before any test runs."""
EXPECT = "zero"
MESSAGE = "KernelDied"


def submission(kit):
    return kit.with_prelude("import os\nos._exit(1)")
