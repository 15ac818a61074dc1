"""The upload was cut off: the file is not valid JSON. It scores 0 with the reason, the batch goes on."""
EXPECT = "zero"


def submission(kit):
    return '{"cells": [{"cell_type": "code", "source": "class '
