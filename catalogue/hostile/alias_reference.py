"""The answer hands in the reference: `<Component> = gpt2.<Component>` instead of writing it."""
EXPECT = "flagged"
SCOPE = "component"  # the reference component differs from problem to problem
MESSAGE = "is the reference gpt2."


def submission(kit):
    return kit.components_replaced(lambda name: f"{name} = gpt2.{name}\n")
