"""The learner deleted the first test cell: nbgrader puts it back and it is graded."""
EXPECT = "full"


def submission(kit):
    return kit.cells_where(kit.is_cell(kit.test_ids[0]), drop=True)
