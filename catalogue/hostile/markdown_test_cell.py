"""The learner turned the last test cell into a markdown cell."""
EXPECT = "full"


def _to_markdown(cell):
    cell.cell_type = "markdown"
    cell.pop("outputs", None)
    cell.pop("execution_count", None)


def submission(kit):
    return kit.cells_where(kit.is_cell(kit.test_ids[-1]), change=_to_markdown)
