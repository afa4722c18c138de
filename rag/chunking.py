"""Sentence-aware chunking: chunks are runs of whole sentences, and never longer than ``size``.

Each chunk records its character offsets in the article text, so a citation
can point at the exact place it came from. Consecutive chunks overlap by whole
sentences (up to ``overlap`` characters) so a fact spanning a boundary is kept
together in at least one chunk.

A "sentence" longer than ``size`` (a table, a list, a file without full stops)
is the one exception to whole sentences: it is cut into pieces, after clause
punctuation (``;`` ``:`` ``,`` dashes) where it can be, else between words, and
hard as a last resort. Without that cut one such sentence became one chunk of
any size, overflowing the model's context.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from rag.sentences import sentence_spans
from rag.types import Article, Chunk

# Ends of clauses inside a sentence: the cut goes right after the match.
_CLAUSE_END = re.compile(r"[;:,](?=\s)|\s[-–—]{1,2}(?=\s)|—(?=\S)")
_SPACE = re.compile(r"\s+")
# Characters that belong to the one before them: a hard cut never separates them.
_JOINERS = frozenset("\u200d\ufe0e\ufe0f")


def chunk_id(article_id: str, start: int, end: int, text: str) -> str:
    digest = hashlib.sha1(f"{start}:{end}:{text}".encode()).hexdigest()[:10]
    return f"{article_id}:{start}:{digest}"


def piece_limit(size: int, overlap: int) -> int:
    """Longest piece a too-long sentence is cut into.

    Pieces no longer than ``overlap`` let consecutive chunks overlap inside such a
    sentence too; the ``size // 8`` floor keeps a huge file from becoming millions of pieces.
    """
    return max(1, min(size, max(overlap, size // 8)))


def _hard_cut(text: str, pos: int, limit_end: int) -> int:
    """``limit_end``, moved back so that no combining mark or joiner is cut from its character."""
    cut = limit_end
    while cut > pos + 1 and (
        unicodedata.combining(text[cut]) or text[cut] in _JOINERS or text[cut - 1] in _JOINERS
    ):
        cut -= 1
    return cut


# How good a place to end a chunk each kind of cut is: the packer prefers the better ones.
HARD, WORD, CLAUSE, SENTENCE = range(4)
Unit = tuple[int, int, int]  # start, end, strength of the cut at its end


def _cut(text: str, pos: int, limit: int) -> tuple[int, int, int]:
    """Where the piece starting at ``pos`` ends, where the next one starts, and the cut's strength.

    The last clause end in the window (a run of whole clauses), else the last space, else a hard cut.
    """
    limit_end = pos + limit
    # One character past the window so a lookahead can see the space after a final comma.
    clause = None
    for match in _CLAUSE_END.finditer(text, pos + 1, limit_end + 1):
        if match.end() <= limit_end:
            clause = match.end()
    if clause is not None:
        return clause, clause, CLAUSE
    spaces = list(_SPACE.finditer(text, pos + 1, limit_end + 1))
    if spaces:
        return spaces[-1].start(), spaces[-1].end(), WORD
    cut = _hard_cut(text, pos, limit_end)
    return cut, cut, HARD


def split_long(text: str, start: int, end: int, limit: int) -> list[Unit]:
    """``text[start:end]`` as consecutive pieces of at most ``limit`` characters, no space at their ends."""
    pieces: list[Unit] = []
    pos = start
    while end - pos > limit:
        cut, nxt, strength = _cut(text, pos, limit)
        while nxt < end and text[nxt].isspace():
            nxt += 1
        pieces.append((pos, cut, strength))
        pos = nxt
    pieces.append((pos, end, SENTENCE))
    return pieces


def units(text: str, size: int, overlap: int) -> list[Unit]:
    """The sentences of ``text``, each one longer than ``size`` replaced by its pieces."""
    limit = piece_limit(size, overlap)
    spans: list[Unit] = []
    for start, end in sentence_spans(text):
        if end - start <= size:
            spans.append((start, end, SENTENCE))
        else:
            spans.extend(split_long(text, start, end, limit))
    return spans


def _best_end(sentences: list[Unit], i: int, j: int, size: int, floor: int) -> int:
    """``j``, or an earlier unit (from ``floor`` on) in the chunk's second half that ends on a stronger cut.

    Only pieces of an over-long sentence end on weaker cuts, so whole-sentence text is unaffected.
    ``floor`` is the first unit no earlier chunk holds: ending before it would repeat the previous chunk.
    """
    start, best = sentences[i][0], j
    for k in range(j - 1, max(i, floor) - 1, -1):
        if sentences[k][1] - start < size // 2:
            break
        if sentences[k][2] > sentences[best][2]:
            best = k
    return best


def chunk_spans(text: str, size: int, overlap: int) -> list[tuple[int, int]]:
    """Greedy packing of whole sentences into spans of at most ``size`` characters.

    The next chunk starts with the trailing sentences of the previous one that
    fit in ``overlap`` characters. Sentences longer than ``size`` are cut into
    pieces first (see the module docstring), so no span is ever longer than ``size``.
    """
    sentences = units(text, size, overlap)
    spans: list[tuple[int, int]] = []
    i = floor = 0
    while i < len(sentences):
        start = sentences[i][0]
        j = i
        while j + 1 < len(sentences) and sentences[j + 1][1] - start <= size:
            j += 1
        j = _best_end(sentences, i, j, size, floor)
        end = sentences[j][1]
        floor = j + 1
        spans.append((start, end))
        if j + 1 >= len(sentences):
            break
        # Step back over trailing sentences that fit in the overlap, but always advance, and only
        # as far as the next chunk can still take in sentence j + 1: otherwise it would be a
        # redundant copy of this chunk's tail.
        nxt = j + 1
        reach = sentences[j + 1][1]
        while (
            nxt - 1 > i and end - sentences[nxt - 1][0] <= overlap and reach - sentences[nxt - 1][0] <= size
        ):
            nxt -= 1
        i = nxt
    return spans


def chunk_article(article: Article, size: int = 700, overlap: int = 150) -> list[Chunk]:
    return [
        Chunk(
            id=chunk_id(article.id, start, end, article.text[start:end]),
            article_id=article.id,
            index=n,
            text=article.text[start:end],
            start=start,
            end=end,
        )
        for n, (start, end) in enumerate(chunk_spans(article.text, size, overlap))
    ]
