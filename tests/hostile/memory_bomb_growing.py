"""The class keeps allocating 256 MiB blocks until memory runs out, each time it is built."""
EXPECT = "zero"
MESSAGE = "MemoryError"


def submission(kit):
    return kit.with_epilogue("""
def _grow(self, *args, **kwargs):
    blocks = []
    while True:
        blocks.append(bytearray(2**28))

for _name in COMPONENTS:
    globals()[_name].__init__ = _grow
""")
