"""Sentence spans with character offsets, from blingfire's finite-state splitter.

Offsets (not just strings) matter: chunks and citation highlights point back
into the article text.
"""

from __future__ import annotations

from collections.abc import Iterator

import blingfire

# blingfire's wrapper holds ~20 bytes per byte of text at once (a 20 MB one-line file took ~1 GB),
# so longer texts are split into blocks this long, at a blank line, else a space. Article-sized
# texts are one block: their sentences are exactly as before.
BLOCK_CHARS = 1_000_000


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every sentence of ``text``, in order, covering no whitespace at the ends."""
    if not text.strip():
        return []
    spans: list[tuple[int, int]] = []
    for start, end in blocks(text, BLOCK_CHARS):
        spans.extend(_block_spans(text, start, end))
    return spans


def blocks(text: str, limit: int) -> Iterator[tuple[int, int]]:
    """Consecutive ``(start, end)`` covering ``text``, each at most ``limit`` long, cut at a blank line or space."""
    pos = 0
    while len(text) - pos > limit:
        cut = text.rfind("\n\n", pos + 1, pos + limit)
        if cut <= pos:
            cut = max(text.rfind(" ", pos + 1, pos + limit), text.rfind("\n", pos + 1, pos + limit))
        if cut <= pos:
            cut = pos + limit
        yield pos, cut
        pos = cut
    yield pos, len(text)


def _block_spans(text: str, offset: int, stop: int) -> list[tuple[int, int]]:
    block = text[offset:stop]
    if not block.strip():
        return []
    _, offsets = blingfire.text_to_sentences_and_offsets(block)
    spans = []
    for start, end in offsets:
        # Guard against any drift: clamp and trim to the text itself.
        start, end = max(0, start), min(len(block), end)
        while start < end and block[start].isspace():
            start += 1
        while end > start and block[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((offset + start, offset + end))
    return spans


def asks(sentence: str) -> bool:
    """True when ``sentence`` ends with a question mark, also inside closing quotes ("… handwriting?”")."""
    return sentence.rstrip().rstrip("\"'”’)").endswith("?")


def last_asked(question: str) -> str:
    """The last sentence of ``question`` that asks, or all of it: "The mayor closed two libraries.
    Which did she close first?" asks only its second sentence."""
    asking = [question[a:b].strip() for a, b in sentence_spans(question) if asks(question[a:b])]
    return asking[-1] if asking else question
