"""The learner deleted the answer cell(s): zero, and no manual grading needed."""
EXPECT = "zero"


def submission(kit):
    return kit.cells_where(lambda cell: any(kit.is_cell(a)(cell) for a in kit.answers), drop=True)
