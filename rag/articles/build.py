"""Turning parsed fields into an ``Article``: ids, titles, sources, hashes, and refusing junk.

Every format ends here, so the rules (id from the normalised URL, title
fallbacks, cleaned text, what is too little to be an article) are the same
whichever file an article came from.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from itertools import islice
from urllib.parse import urlsplit, urlunsplit

from rag.articles.clean import clean_line, clean_text
from rag.articles.dates import parse_date
from rag.errors import ArticleError
from rag.types import Article

TITLE_MAX = 100  # derived titles
TITLE_MAX_GIVEN = 300  # a "title" field longer than this is a body pasted in the wrong column

# Sentence end: . ! ? (optionally closed by quotes/brackets) followed by whitespace or the end.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s|$)")
# Words whose trailing period does not end a sentence.
# fmt: off
_ABBREVIATIONS = frozenset((
    "mr", "mrs", "ms", "dr", "prof", "st", "sen", "rep", "gov", "gen", "col", "lt", "sgt", "capt",
    "jr", "sr", "vs", "etc", "inc", "ltd", "co", "corp", "no", "u.s", "u.k", "e.g", "i.e",
))
# fmt: on


# A body with fewer words than this is not an article ("NaN", "Error", a stray cell). Low on purpose:
# datasets and tests carry real two-word bodies; what it must catch is a lone token or no words at all.
MIN_WORDS = 2
# Values that exports write for "no value": never an article, however many letters they have.
PLACEHOLDERS = frozenset(("nan", "null", "none", "undefined", "n/a", "na", "nil", "[removed]", "[deleted]"))
# Scripts written without spaces between words: each character counts as a word.
_UNSPACED = re.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]"
)
_LETTER = re.compile(r"[^\W\d_]")
_PREVIEW = 40
# Section fronts: a path of one short word or two ("/news", "/world/", "/uk-news"), or an index page.
_SECTION = re.compile(r"[a-z]+(?:[-_][a-z]+)?|index\.\w+|default\.\w+", re.IGNORECASE)


def _preview(text: str) -> str:
    flat = " ".join(text[: _PREVIEW * 4].split())
    return repr(flat[:_PREVIEW] + "…" if len(flat) > _PREVIEW else flat)


def junk_reason(body: str) -> str | None:
    """Why a cleaned body is not an article (no letters, a placeholder, a lone word), or ``None``."""
    if not _LETTER.search(body):
        return f"body has no letters: {_preview(body)}"
    if body.strip().casefold() in PLACEHOLDERS:
        return f"body is a placeholder, not text: {_preview(body)}"
    words = sum(1 for _ in islice((w for w in body.split() if _LETTER.search(w)), MIN_WORDS))
    if words < MIN_WORDS:
        words += sum(1 for _ in islice(_UNSPACED.finditer(body), MIN_WORDS))
    if words < MIN_WORDS:
        return f"body too short to be an article (fewer than {MIN_WORDS} words): {_preview(body)}"
    return None


def _sha16(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def normalise_url(url: str) -> str:
    """Lowercase scheme and host, no fragment, no trailing slash, no ``utm_*`` parameters."""
    parts = urlsplit(url.strip())
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user}@{host.lower()}"
    else:
        netloc = netloc.lower()
    # Filter the raw "k=v" pairs rather than re-encoding them, so other parameters stay byte-identical.
    query = "&".join(p for p in parts.query.split("&") if p and not p.lower().startswith("utm_"))
    return urlunsplit((parts.scheme.lower(), netloc, parts.path.rstrip("/"), query, ""))


def is_section_url(url: str) -> bool:
    """True for a site's front page or a section page (``/``, ``/news``, ``/world/``), shared by many articles.

    A query string (``?id=42``, ``?p=7``) names one page, so such URLs are never section pages.
    """
    parts = urlsplit(normalise_url(url))
    if parts.query:
        return False
    segments = [s for s in parts.path.split("/") if s]
    return not segments or (len(segments) == 1 and bool(_SECTION.fullmatch(segments[0])))


def article_id(url: str | None, text: str, *, title: str | None = None, published: date | None = None) -> str:
    """16 hex chars of sha256: of the normalised URL when there is one, else of the text.

    A section or front-page URL is shared by different articles, so their ids also hash the
    given title (or, without one, the text) and the date: one article must never replace another.
    """
    if not (url and url.strip()):
        return _sha16(text)
    key = normalise_url(url)
    if is_section_url(url):
        day = published.isoformat() if published else ""
        return _sha16(f"{key}\ntitle:{title}\n{day}" if title else f"{key}\ntext:{_sha16(text)}\n{day}")
    return _sha16(key)


def content_hash(title: str, text: str) -> str:
    """sha256 hex of title and text: changes whenever what a reader sees changes."""
    return hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()


def source_from_url(url: str | None) -> str | None:
    """The publisher's host, ``www.`` dropped: ``https://www.telegraph.co.uk/x`` → ``telegraph.co.uk``."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host.removeprefix("www.") or None


def shorten(text: str, limit: int = TITLE_MAX) -> str:
    """Cuts on a word boundary at most ``limit`` characters long, marking the cut with ``…``."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut and not text[limit - 1].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–—") + "…"


def first_sentence(text: str) -> str:
    """The first sentence of the first paragraph, skipping abbreviations like ``Mr.``."""
    paragraph = next((p for p in text.strip().split("\n") if p.strip()), "").strip()
    for match in _SENTENCE_END.finditer(paragraph):
        before = paragraph[: match.start()].rsplit(" ", 1)[-1].lower().lstrip("(\"'“‘")
        if match.group()[0] == "." and (before in _ABBREVIATIONS or len(before) == 1):
            continue
        return paragraph[: match.end()].strip()
    return paragraph


def title_from_text(text: str) -> str:
    """A title for an article that has none: its first sentence, cut to about 100 characters."""
    sentence = first_sentence(text)
    if sentence.endswith(".") and not sentence.endswith(".."):
        sentence = sentence[:-1]
    return shorten(sentence)


def _opt(value: object) -> str | None:
    if value is None:
        return None
    text = clean_line(str(value))
    return text or None


def make_article(
    *,
    text: str,
    title: object = None,
    url: object = None,
    published: object = None,
    source: object = None,
    author: object = None,
    path: str | None = None,
    stem: str = "",
) -> Article | None:
    """Cleans and assembles one article; ``None`` when no body text is left after cleaning.

    A body that is not article text (see :func:`junk_reason`) raises ``ArticleError`` saying why.
    """
    body = clean_text(text)
    if not body:
        return None
    junk = junk_reason(body)
    if junk:
        raise ArticleError(junk)
    link = _opt(url)
    given = _opt(title)
    heading = (
        (shorten(given, TITLE_MAX_GIVEN) if given else title_from_text(body))
        or clean_line(stem)
        or "Untitled"
    )
    day = parse_date(published)
    return Article(
        id=article_id(link, body, title=shorten(given, TITLE_MAX_GIVEN) if given else None, published=day),
        title=heading,
        text=body,
        url=link,
        published=day,
        source=_opt(source) or source_from_url(link),
        author=_opt(author),
        path=path,
        content_hash=content_hash(heading, body),
    )
