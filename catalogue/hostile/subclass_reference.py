"""The answer subclasses the reference component and adds nothing."""
EXPECT = "flagged"
SCOPE = "component"  # the reference component differs from problem to problem
MESSAGE = "derives from the reference"


def submission(kit):
    return kit.components_replaced(lambda name: f"\n\nclass {name}(gpt2.{name}):\n    pass\n")
