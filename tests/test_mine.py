"""Your own GPT-2 (coursetools.mine): parts saved when they pass, used by later activities when
still passing, the reference otherwise; grading untouched."""
from __future__ import annotations

import pytest

from coursetools import mine, notebooks
from coursetools.course import REPO

LAYER_NORM = "07-layer-norm-residuals"
BLOCK = "08-transformer-block"


def solution_cells(assignment: str) -> list[str]:
    """The instructor's answer cells, as a kernel's input history would hold them."""
    return list(notebooks.solution_answers(notebooks.read(REPO.source(assignment))).values())


@pytest.fixture
def reference_afterwards():
    yield
    mine.use_reference()


def test_a_part_is_saved_only_when_its_visible_tests_pass(tmp_path):
    cells = solution_cells(LAYER_NORM)
    path, why_not = mine.save(LAYER_NORM, ["import torch"] + cells, tmp_path)
    assert path == tmp_path / f"{LAYER_NORM}.py" and why_not == ""
    assert "class LayerNorm" in path.read_text() and "class ResidualBlock" in path.read_text()

    no_centring = [c.replace("centred = x - mean", "centred = x") for c in cells]
    path, why_not = mine.save(LAYER_NORM, no_centring, tmp_path / "other")
    assert path is None and "visible tests do not pass" in why_not and "p07-test" in why_not

    path, why_not = mine.save(LAYER_NORM, cells[:1], tmp_path / "other")
    assert path is None and "p07-residual-block" in why_not  # one answer cell never ran


def test_saved_parts_build_gpt2_and_a_broken_one_falls_back_to_the_reference(tmp_path, reference_afterwards):
    import gpt2
    import gpt2.model

    for assignment in (LAYER_NORM, BLOCK):
        assert mine.save(assignment, solution_cells(assignment), tmp_path)[0]
    reference_layer_norm = gpt2.LayerNorm

    whose = mine.use_mine(namespace := {"LayerNorm": gpt2.LayerNorm, "other": 1}, folder=tmp_path)
    assert whose["LayerNorm"] == f"yours ({LAYER_NORM})" and whose["TransformerBlock"] == f"yours ({BLOCK})"
    assert whose["Embeddings"] == "reference (nothing saved)"
    assert gpt2.model.LayerNorm is gpt2.LayerNorm is not reference_layer_norm  # inside the reference model too
    assert namespace["LayerNorm"] is gpt2.LayerNorm and namespace["other"] == 1
    yours, parts, gap = mine.your_gpt2(gpt2.GPT2Model)
    assert (yours, parts) == (2, 9) and gap <= 1e-4

    mine.use_reference()
    assert gpt2.model.LayerNorm is gpt2.LayerNorm is reference_layer_norm

    saved = tmp_path / f"{LAYER_NORM}.py"  # broken after saving: eps dropped, which the visible tests miss
    saved.write_text(saved.read_text().replace("variance + self.eps", "variance"))
    whose = mine.use_mine(folder=tmp_path)
    assert whose["LayerNorm"].startswith("reference: GPT-2 built with your LayerNorm is not GPT-2"), whose["LayerNorm"]
    assert gpt2.LayerNorm is reference_layer_norm
    assert whose["TransformerBlock"] == f"yours ({BLOCK})"

    saved.write_text("class LayerNorm: pass\n\nclass ResidualBlock: pass\n")  # no longer passes its own tests
    assert mine.use_mine(folder=tmp_path)["LayerNorm"].startswith("reference: your saved")


@pytest.mark.parametrize("assignment", REPO.assignments())
def test_each_problem_saves_its_parts_and_offers_the_switch(assignment):
    sources = [cell.source for cell in notebooks.read(REPO.release(assignment)).cells]
    assert (mine.save_code(assignment) in sources) == (assignment in mine.MINE)
    assert (mine.SWITCH_CODE in sources) != (assignment == "01-embeddings"), "every problem after 01 has the switch"
