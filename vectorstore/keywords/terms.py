"""What BM25 sees of a text and of a question: the same preparation on both sides.

The index's own tokenizer (tantivy's ``default``: runs of letters and digits,
lowercased) splits the text; a question is split here the same way, its stop
words dropped, so no term the index cannot hold is ever asked for.
"""

from __future__ import annotations

import re

__all__ = ["STOPWORDS", "prepare", "query_terms"]

_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_WORD = re.compile(r"[^\W_]+")

# Common English words that say nothing of a passage (the list bm25s used for newsdesk before).
STOPWORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their then "
    "there these they this to was will with".split()
)


def prepare(text: str) -> str:
    """``2,000`` becomes ``2000``, so figures match however they are written."""
    return _THOUSANDS.sub("", text)


def query_terms(query: str) -> list[str]:
    """The question's distinct searchable terms, in order: lowercased, two characters or more, no stop words."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(prepare(query).lower()):
        if len(word) > 1 and word not in STOPWORDS and len(word) <= 40:
            seen.setdefault(word, None)
    return list(seen)
