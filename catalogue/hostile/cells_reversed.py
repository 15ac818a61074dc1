"""The learner's notebook has its cells in reverse order (tests above the answers)."""
EXPECT = "full"


def submission(kit):
    nb = kit.copy()
    nb.cells = nb.cells[::-1]
    return nb
