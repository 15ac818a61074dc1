"""Real text that every machine has: the Python standard library's own source code.

No dataset download works offline, but several megabytes of English comments, docstrings and
code ship with every Python. Files are read in sorted order, so the text is deterministic for a
given Python version.
"""
from __future__ import annotations

import sysconfig
from pathlib import Path


def stdlib_text(max_chars: int = 1_000_000) -> str:
    """Up to ``max_chars`` characters of the standard library's ``.py`` files, concatenated."""
    if max_chars <= 0:
        raise ValueError(f"max_chars must be positive, got {max_chars}")
    root = Path(sysconfig.get_paths()["stdlib"])
    parts, total = [], 0
    for path in sorted(root.glob("*.py")):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        parts.append(text)
        total += len(text)
        if total >= max_chars:
            break
    return "".join(parts)[:max_chars]
