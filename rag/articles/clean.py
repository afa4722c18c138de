"""Bytes to text, and text to the cleaned body stored as ``Article.text``.

Chunk offsets and citations point into the cleaned text, so every parser
must pass its body through :func:`clean_text` last and change nothing after.
Boilerplate removal is deliberately line-level and conservative: a line is
dropped only when it is short and consists of the boilerplate phrase, never
because a real sentence happens to mention cookies or advertising.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from charset_normalizer import from_bytes

from rag.errors import ArticleError

# Above this share of control characters decoded "text" is really binary data.
_MAX_CONTROL_RATIO = 0.05
# Unicode category Cc less tab, newline, vertical tab, form feed and carriage return.
_BINARY_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")

# Boilerplate lines never get longer than this; longer lines are prose.
_MAX_BOILERPLATE_LEN = 220

_BOILERPLATE = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"advertisements?|advert|sponsored( content)?|ad feedback",
        r"(story|article) continues below( this)? advertisement|scroll (down )?to continue( reading)?",
        r"skip to (main )?(content|navigation)",
        r"share this (article|story|page|post)( on \w+)?|share (on|via) (facebook|twitter|x|email|whatsapp|linkedin)",
        r"(sign up|subscribe|register) (for|to) (our|the) .{0,60}newsletters?\b.{0,120}",
        r"click here to (subscribe|sign up)\b.{0,120}",
        r"how relevant is this ad to you\??",
        r"video player was slow to load content\b.{0,160}",
        (
            r"(we|this (web)?site|our (web)?site|this page) uses? cookies\b.{0,200}?"
            r"\b(experience|consent|agree|accept|polic(y|ies)|settings|preferences|brows|continu|improv)\b.{0,200}"
        ),
        r"(accept|allow|reject|manage) (all )?cookies|cookie (policy|settings|preferences)",
        # Only with a copyright sign, "copyright" or a year: "kept all rights reserved." is prose.
        r"(©|\(c\)|copyright)[^\n]{0,100}\ball rights reserved\b\W?|all rights reserved\W?",
        r"[^\n]{0,60}\b(19|20)\d\d\b[^\n]{0,60}\ball rights reserved\b\W?",
    )
]

_NON_ASCII = re.compile(r"[^\x00-\x7f\ufffd]")
_HSPACE = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b\ufeff\u00ad]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_MANY_NEWLINES = re.compile(r"\n{3,}")


def decode_bytes(data: bytes) -> str:
    """UTF-8 (BOM allowed) first, then charset-normalizer's best guess; binary is refused."""
    if not data.strip():
        raise ArticleError("empty file")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _check_not_binary(data.decode("utf-16"))
        except UnicodeDecodeError:
            raise ArticleError("not valid text in any known encoding") from None
    if b"\x00" in data:
        raise ArticleError("binary file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = _mostly_utf8(data) or _best_guess(data)
    return _check_not_binary(text)


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few stray bytes (a bad paste) stays UTF-8, the strays becoming U+FFFD.

    Guessing a legacy encoding instead would garble every real non-ASCII character.
    Text in a legacy encoding almost never forms valid UTF-8 sequences, so it fails this.
    """
    text = data.decode("utf-8-sig", errors="replace")
    bad = text.count("\ufffd")
    good = len(_NON_ASCII.findall(text))
    return text if good and bad * 10 <= good else None


def _best_guess(data: bytes) -> str:
    best = from_bytes(data).best()
    if best is None:
        raise ArticleError("not valid text in any known encoding")
    return str(best)


def _check_not_binary(text: str) -> str:
    if not text.strip():
        raise ArticleError("empty file")
    if "\x00" in text:
        raise ArticleError("binary file")
    controls = len(_BINARY_CONTROLS.findall(text))
    if controls / len(text) > _MAX_CONTROL_RATIO:
        raise ArticleError("binary file")
    return text


def is_boilerplate(line: str) -> bool:
    """True for a short line that is nothing but a known boilerplate phrase."""
    line = line.strip().strip("|•·*-–—>").strip()
    if not line or len(line) > _MAX_BOILERPLATE_LEN:
        return False
    return any(p.fullmatch(line) for p in _BOILERPLATE)


def clean_text(text: str) -> str:
    """NFC, ``\\n`` line ends, single spaces, at most one blank line, no boilerplate lines."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    text = _CONTROLS.sub("", text.replace("\f", "\n").replace("\v", "\n"))
    lines = []
    for raw in text.split("\n"):
        line = _HSPACE.sub(" ", raw).strip()
        if line and is_boilerplate(line):
            continue
        lines.append(line)
    return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()


def clean_line(text: str) -> str:
    """A single-line field (title, author, source): NFC and whitespace collapsed."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    return " ".join(_CONTROLS.sub(" ", text).split())
