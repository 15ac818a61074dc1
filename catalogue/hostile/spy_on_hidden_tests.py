"""The answer registers a hook that prints each cell's code, to read hidden tests in the feedback."""
EXPECT = "flagged"
MESSAGE = "IPython event callbacks"


def submission(kit):
    return kit.with_prelude("""
def _leak(info):
    print(info.raw_cell)

get_ipython().events.register("pre_run_cell", _leak)
""")
