"""Word features shared by retrieval and grounding: content words and key terms.

Key terms (numbers and capitalised words) are the facts a reader checks
against a source; content words are the rest of what carries meaning. One
home, so retrieval's notion of "the same fact" and grounding's agree.
"""

from __future__ import annotations

import re
import string
import unicodedata

from rag.markers import strip_markers

_WORD = re.compile(r"[\w][\w'’.,-]*[\w]|\w")
_KEY = re.compile(r"\b(?:\d[\d,.]*\d|\d|[A-Z][\w'’-]+)")

STOP = frozenset(
    "a an the of to in on for and or but is are was were be been by with as at from that this these those "
    "it its which who whom what when where why how did does do has have had not no than then there their "
    "they he she his her we you i will would can could about into over after before said says".split()
)


NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
}
# Counts as words, for matching figures: "one" is left alone, being a pronoun at least as often as a
# count ("one of the most"), and so is "zero".
_SPELLED_NUMBER = re.compile(r"\b(" + "|".join(list(NUMBER_WORDS)[2:]) + r")\b", re.IGNORECASE)


def normalise_quotes(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")


def spelled_as_digits(text: str) -> str:
    """Number words two to twenty as digits: "Seventeen-year-old" and "17 years" state the same figure."""
    return _SPELLED_NUMBER.sub(lambda m: NUMBER_WORDS[m.group(1).lower()], text)


def content_words(text: str) -> set[str]:
    """Lower-cased words less stop words; "2,000", "2000" are the same word, and so are "nine", "9"."""
    words = {w.lower().strip(".,'’-") for w in _WORD.findall(spelled_as_digits(normalise_quotes(text)))}
    return {w.replace(",", "") for w in words if w and w not in STOP}


def key_terms(text: str) -> set[str]:
    """Numbers and capitalised words: the facts a reader would check against the source."""
    terms = set()
    for match in _KEY.finditer(spelled_as_digits(normalise_quotes(strip_markers(text)))):
        term = match.group(0).rstrip(".,").replace(",", "").lower()
        if term and term not in STOP:
            terms.add(term)
    return terms


def terms_in(text: str) -> set[str]:
    return key_terms(text) | content_words(text)


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
    }
)
_THOUSANDS = re.compile(r"(?<=\d)[,\u202f\u00a0](?=\d{3}(?!\d))")
_PUNCT = re.compile(f"[{re.escape(string.punctuation)}\u2026\u00b7]")
_POSSESSIVE = re.compile(r"'s\b")
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_NUMBER_WORD = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b")


def normalize_answer(text: str | None) -> str:
    """Text reduced to what decides whether two answers say the same thing.

    Unicode NFKC; curly quotes and dashes made plain; lowercase; thousands
    separators dropped between digits ("2,000" -> "2000"); a possessive "'s"
    dropped ("Wallace's" -> "wallace") and other apostrophes deleted ("don't" ->
    "dont"); every other punctuation mark made a space; the articles a/an/the removed;
    whitespace collapsed to single spaces; number words up to twenty made digits
    ("nine years" -> "9 years"), since quizzes and articles write them either way.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    text = _THOUSANDS.sub("", text)
    text = _POSSESSIVE.sub("", text).replace("'", "")
    text = _PUNCT.sub(" ", text)
    text = _ARTICLES.sub(" ", text)
    text = _NUMBER_WORD.sub(lambda m: NUMBER_WORDS[m.group(1)], text)
    return " ".join(text.split())
