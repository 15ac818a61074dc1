"""The answer makes every PyTorch closeness check pass: torch.allclose and torch.testing.assert_close."""
EXPECT = "flagged"
MESSAGE = "torch.allclose"


def submission(kit):
    return kit.with_prelude("""
import torch

torch.allclose = lambda *args, **kwargs: True
torch.testing.assert_close = lambda *args, **kwargs: None
""")
