"""The answer silences numpy's comparison helpers."""
EXPECT = "flagged"
MESSAGE = "numpy"


def submission(kit):
    return kit.with_prelude("""
import numpy as np

np.testing.assert_allclose = lambda *args, **kwargs: None
np.allclose = lambda *args, **kwargs: True
""")
