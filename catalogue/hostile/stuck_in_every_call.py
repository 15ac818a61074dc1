"""The learner's class loops forever when it is built: every test hangs until its timeout."""
EXPECT = "zero"
MESSAGE = "NotebookTimeout: the notebook used up its time budget"


def submission(kit):
    return kit.with_init("""
while True:
    pass
""")
