"""Stage "condense": which follow-ups are rewritten, and which rewrites are kept.

A small model asked to rewrite a question that already stands alone often answers it
instead: late in a chat, "How many anti-tank missile launchers did the UK send to Ukraine?"
came back as "The UK sent 2,000 anti-tank missile launchers to Ukraine." (the previous answer)
and was searched with. So a question that stands alone is never rewritten
(``stands_alone``), and a rewrite that is a statement, or the question unchanged, is refused
(``usable_rewrite``): the search then uses the previous question joined with the follow-up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from rag.terms import content_words, key_terms

# A conjunction opening a follow-up ("And how many troops does Britain have in Estonia?") says
# nothing on its own: what follows it decides.
_CONJUNCTION = re.compile(r"^\s*(?:and|but|also|so|or|then)\b[\s,]*", re.IGNORECASE)
# Openings that continue the conversation: "what about France?", "why?", "what else?".
_CONTINUES = re.compile(r"^\s*(?:same|what about|how about|what else|why not|why|how come)\b", re.IGNORECASE)
# Words that point back at something said before: "how many did they send?".
_POINTERS = frozenset(
    "it its it's they them their theirs he him his she her hers those these such "
    "former latter same ones".split()
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
_ASKING = frozenset(
    "who whom whose what which when where why how is are was were do does did can could will would "
    "should shall has have had may might must".split()
)
MIN_CONTENT_WORDS = 3  # a question that stands alone says what it asks about in at least this many words
MAX_GROWTH = 3  # a rewrite longer than this many times the follow-up (plus 200 characters) is refused


def stands_alone(question: str) -> bool:
    """True when ``question`` needs nothing said before it: after an opening "and" or "but", it
    does not open as a continuation, has no pronoun pointing back, names its own subject (a
    capitalised word after the first, or a figure) and has at least ``MIN_CONTENT_WORDS``
    content words.

    "How many anti-tank missile launchers did the UK send to Ukraine?" and "And how many troops
    does Britain have in Estonia?" stand alone; "And what about France?", "And how many in
    Poland?" and "How many did they send?" do not."""
    asked = _CONJUNCTION.sub("", question, count=1)
    if _CONTINUES.match(asked):
        return False
    words = [w.lower().replace("’", "'") for w in _WORD.findall(asked)]
    if any(w in _POINTERS for w in words):
        return False
    _, _, rest = asked.strip().partition(" ")
    return bool(key_terms(rest)) and len(content_words(asked)) >= MIN_CONTENT_WORDS


def is_question(text: str) -> bool:
    """A question, not a statement: it ends with "?" or opens with a word that asks."""
    words = _WORD.findall(text)
    return text.rstrip().endswith("?") or bool(words and words[0].lower() in _ASKING)


def _same(a: str, b: str) -> bool:
    return [w.lower() for w in _WORD.findall(a)] == [w.lower() for w in _WORD.findall(b)]


def usable_rewrite(question: str, rewritten: str) -> bool:
    """A rewrite worth searching with: a question, not the follow-up unchanged, not overlong."""
    return (
        bool(rewritten.strip())
        and is_question(rewritten)
        and not _same(question, rewritten)
        and len(rewritten) <= MAX_GROWTH * len(question) + 200
    )


def joined(question: str, history: Sequence[tuple[str, str]]) -> str:
    """The fallback search: the previous question, then the follow-up."""
    return f"{history[-1][0].strip()} {question.strip()}" if history else question


def standalone_question(question: str, history: Sequence[tuple[str, str]], rewrite: Callable[[], str]) -> str:
    """``question`` as retrieval should search it; ``rewrite`` asks the model (only when needed)."""
    if not history or stands_alone(question):
        return question
    rewritten = rewrite().strip()
    return rewritten if usable_rewrite(question, rewritten) else joined(question, history)
