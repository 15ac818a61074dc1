"""The learner submitted a Python script saved under the notebook's name."""
EXPECT = "zero"


def submission(kit):
    return "import torch\n\nprint('this is not a notebook')\n"
