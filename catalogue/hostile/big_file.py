"""The answer tries to write a 2 GiB file in its working directory, then goes on as usual."""
EXPECT = "full"


def submission(kit):
    return kit.with_prelude("""
import errno
import os

try:
    with open("fill.bin", "wb") as _f:
        for _ in range(2048):
            _f.write(bytes(2**20))
    raise AssertionError("a 2 GiB file was written: the file-size limit did not apply")
except OSError as _err:
    assert _err.errno == errno.EFBIG, _err
finally:
    os.remove("fill.bin")
""")
