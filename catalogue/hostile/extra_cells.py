"""The learner added scratch cells everywhere: notes, experiments, a failing cell."""
EXPECT = "full"

import nbformat


def submission(kit):
    nb = kit.copy()
    cells = []
    for i, cell in enumerate(nb.cells):
        cells.append(cell)
        if i % 3 == 0:
            cells.append(nbformat.v4.new_code_cell(f"scratch_{i} = {i} * 2\nprint('trying things', scratch_{i})"))
        if i == 5:
            cells.append(nbformat.v4.new_code_cell("1 / 0  # an experiment that fails"))
            cells.append(nbformat.v4.new_markdown_cell("My notes: remember the positions."))
    nb.cells = cells
    return nb
