"""The class keeps allocating 256 MiB blocks until memory runs out, each time it is built."""
EXPECT = "zero"
MESSAGE = "MemoryError"


def submission(kit):
    return kit.with_init("""
blocks = []
while True:
    blocks.append(bytearray(2**28))
""")
