"""The answer adds an IPython input transformer that turns every test cell into `pass`."""
EXPECT = "flagged"
MESSAGE = "IPython input transformers"


def submission(kit):
    return kit.with_prelude("""
def _skip_tests(lines):
    return ["pass\\n"] if lines and "Test" in lines[0] else lines

get_ipython().input_transformers_cleanup.append(_skip_tests)
""")
