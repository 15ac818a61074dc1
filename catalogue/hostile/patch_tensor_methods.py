"""The answer replaces Tensor methods the tests compare with (allclose, equal)."""
EXPECT = "flagged"
MESSAGE = "torch.Tensor."


def submission(kit):
    return kit.with_prelude("""
import torch

torch.Tensor.allclose = lambda self, *args, **kwargs: True
torch.Tensor.equal = lambda self, *args, **kwargs: True
""")
