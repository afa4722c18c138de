"""Sentence spans with character offsets, from blingfire's finite-state splitter.

Offsets (not just strings) matter: chunks and citation highlights point back
into the article text.
"""

from __future__ import annotations

import blingfire


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every sentence of ``text``, in order, covering no whitespace at the ends."""
    if not text.strip():
        return []
    _, offsets = blingfire.text_to_sentences_and_offsets(text)
    spans = []
    for start, end in offsets:
        # Guard against any drift: clamp and trim to the text itself.
        start, end = max(0, start), min(len(text), end)
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans
