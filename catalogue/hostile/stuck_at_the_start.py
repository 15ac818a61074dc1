"""The answer cell never finishes (an endless loop at its top), so nothing after it is defined."""
EXPECT = "zero"


def submission(kit):
    return kit.with_prelude("while True:\n    pass")
