"""The answer subclasses the reference component and adds nothing (a function: wraps it)."""
EXPECT = "flagged"
SCOPE = "component"  # the reference component differs from problem to problem
# A class is flagged as "derives from the reference gpt2.X"; a function wrapping the reference
# (there is no subclassing one) as "calls the reference gpt2.X".
MESSAGE = "the reference gpt2."


def submission(kit):
    return kit.components_replaced(lambda name: (
        f"\n\ndef {name}(*args, **kwargs):\n    return gpt2.{name}(*args, **kwargs)\n" if name in kit.functions
        else f"\n\nclass {name}(gpt2.{name}):\n    pass\n"))
