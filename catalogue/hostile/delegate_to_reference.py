"""The answer's class builds the reference component inside and forwards every call to it."""
EXPECT = "flagged"
SCOPE = "component"  # the reference component differs from problem to problem
MESSAGE = "calls the reference gpt2."

DELEGATE = '''

class {name}(nn.Module):
    def __init__(self, *args, **kwargs):
        super().__init__()
        self.inner = gpt2.{name}(*args, **kwargs)

    def forward(self, *args, **kwargs):
        return self.inner(*args, **kwargs)

    def __getattr__(self, attr):
        try:
            return super().__getattr__(attr)
        except AttributeError:
            return getattr(self.inner, attr)
'''
FORWARD = '''

def {name}(*args, **kwargs):
    result = gpt2.{name}(*args, **kwargs)
    return result
'''


def submission(kit):
    return kit.components_replaced(lambda name: (FORWARD if name in kit.functions else DELEGATE).format(name=name))
