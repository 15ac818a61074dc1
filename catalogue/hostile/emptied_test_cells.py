"""The learner emptied every test cell: the tests are restored from the gradebook."""
EXPECT = "full"


def submission(kit):
    return kit.cells_where(lambda cell: any(kit.is_cell(t)(cell) for t in kit.test_ids),
                           change=lambda cell: cell.update(source=""))
