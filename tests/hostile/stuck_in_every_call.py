"""The learner's class loops forever when it is built: every test hangs until its timeout."""
EXPECT = "zero"
MESSAGE = "NotebookTimeout: the notebook used up its time budget"


def submission(kit):
    return kit.with_epilogue("""
def _loop_forever(self, *args, **kwargs):
    while True:
        pass

for _name in COMPONENTS:
    globals()[_name].__init__ = _loop_forever
""")
