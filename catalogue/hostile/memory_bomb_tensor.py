"""Every forward pass asks PyTorch for a terabyte: each test fails with a clear MemoryError."""
EXPECT = "zero"
MESSAGE = "MemoryError: this cell needed more memory than the"


def submission(kit):
    return kit.with_init("""
torch.empty(2**38)
""")
