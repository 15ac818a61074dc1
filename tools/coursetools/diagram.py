"""The "you are here" diagram of every problem: GPT-2's parts, the one built in this problem
highlighted. Generated as plain SVG (readable offline, in the lab and in feedback pages) into
``source/<NN-slug>/you-are-here.svg``; nbgrader copies it into the learner's folder.

    python -m coursetools diagrams       (re)write every problem's diagram
"""
from __future__ import annotations

from html import escape

from .course import REPO, Course

FILE = "you-are-here.svg"
# Parts of GPT-2, bottom to top as the data flows: (key, label, x, y, width); the block's
# parts are drawn inside the "block" frame.
PARTS = [
    ("embeddings", "token + position embeddings  (01)", 40, 470, 340),
    ("ln_1", "LayerNorm ln_1  (07)", 70, 410, 280),
    ("attn", "causal multi-head attention  (02-05)", 70, 365, 280),
    ("residual_1", "+ residual  (07)", 70, 320, 280),
    ("ln_2", "LayerNorm ln_2  (07)", 70, 275, 280),
    ("mlp", "feed-forward MLP, GELU  (06)", 70, 230, 280),
    ("residual_2", "+ residual  (07)", 70, 185, 280),
    ("ln_f", "final LayerNorm ln_f  (07)", 40, 115, 340),
    ("lm_head", "LM head, tied to wte  (10)", 40, 70, 340),
]
SIDE = [("config", "GPT2Config  (09)", 400, 470), ("init", "weight init  (11)", 400, 300),
        ("pretrained", "OpenAI's weights  (12)", 400, 115)]
# Problem number -> the parts it builds.
BUILDS = {
    "01": {"embeddings"}, "02": {"attn"}, "03": {"attn"}, "04": {"attn"}, "05": {"attn"},
    "06": {"mlp"}, "07": {"ln_1", "ln_2", "ln_f", "residual_1", "residual_2"},
    "08": {"block"}, "09": {"config"}, "10": {"model"}, "11": {"init"}, "12": {"pretrained"},
    # The extensions: generation reads the head's logits, the KV cache lives in attention, LoRA
    # adapts attention and MLP, fine-tuning, quantization and distributed training touch it all.
    "13": {"lm_head"}, "14": {"attn"}, "15": {"model"}, "16": {"attn", "mlp"}, "17": {"model"}, "18": {"model"},
}
ON, OFF = ('fill="#ffd54f" stroke="#e65100" stroke-width="2.5"', 'fill="#eceff1" stroke="#90a4ae"')


def _box(x: int, y: int, width: int, label: str, on: bool, height: int = 34) -> str:
    weight = "bold" if on else "normal"
    return (f'<rect x="{x}" y="{y}" width="{width}" height="{height}" rx="6" {ON if on else OFF}/>'
            f'<text x="{x + width / 2}" y="{y + height / 2 + 5}" text-anchor="middle" '
            f'font-weight="{weight}">{escape(label)}</text>')


def svg(problem: str) -> str:
    """The diagram for problem ``NN`` (its two-digit number)."""
    built = BUILDS.get(problem, set())
    whole = "model" in built
    shapes = [f'<text x="310" y="30" text-anchor="middle" font-size="17" font-weight="bold">'
              f'GPT-2: you are here (problem {problem})</text>',
              f'<rect x="20" y="55" width="380" height="465" rx="10" fill="none" '
              f'stroke="{"#e65100" if whole else "#b0bec5"}" stroke-width="{3 if whole else 1}"/>',
              f'<rect x="55" y="158" width="310" height="297" rx="8" fill="{"#fff3e0" if "block" in built else "none"}" '
              f'stroke="{"#e65100" if "block" in built else "#78909c"}" stroke-width="{3 if "block" in built else 1}" '
              f'stroke-dasharray="{"none" if "block" in built else "6 4"}"/>',
              '<text x="360" y="176" text-anchor="end" font-size="12" fill="#546e7a">transformer block x n_layer  (08)</text>']
    for key, label, x, y, width in PARTS:
        shapes.append(_box(x, y, width, label, key in built))
    for key, label, x, y in SIDE:
        shapes.append(_box(x + 20, y, 190, label, key in built))
    shapes.append('<text x="210" y="540" text-anchor="middle" font-size="12" fill="#546e7a">'
                  'input ids at the bottom, next-token logits at the top</text>')
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="620" height="555" viewBox="0 0 620 555" '
            'font-family="DejaVu Sans, Arial, sans-serif" font-size="14">\n'
            '<rect width="620" height="555" fill="white"/>\n' + "\n".join(shapes) + "\n</svg>\n")


def write_diagrams(course: Course = REPO) -> list[str]:
    """Write every problem's diagram next to its instructor notebook; returns the problems."""
    for assignment in course.assignments():
        (course.source(assignment).parent / FILE).write_text(svg(assignment[:2]))
    return course.assignments()
