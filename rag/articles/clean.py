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
from dataclasses import dataclass

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

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: its BOM starts with UTF-16 LE's
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# UTF-16 without a BOM: Latin-script text has a NUL as the high byte of most characters, and almost
# never as the low byte. Binary data with NULs has them on both sides.
_UTF16_MIN_NUL_SHARE = 0.25
_UTF16_MAX_OTHER_NUL_SHARE = 0.01
# Damaged UTF-8 is kept (bad bytes become U+FFFD) when it has this few bad sequences...
_FEW_BAD_SEQUENCES = 8
# ...or they are at most this share of the characters.
_MAX_BAD_SHARE = 0.01
# The detector's matches within this much "chaos" (its mess measure, 0..1) of the best are near-ties.
_NEAR_TIE = 0.02
# A detector guess is trusted when its chaos is below this and it saw enough non-ASCII bytes.
_MAX_CHAOS = 0.1
_MIN_EVIDENCE = 16
# Preferred among near-ties: Western text is far more often cp1252/latin-1 than cp1250 & co.
_WESTERN = ("cp1252", "latin_1", "iso8859_15")
_HIGH_BYTES = bytes(range(0x80, 0x100))
_ANY_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_TYPOGRAPHY = frozenset("‘’‚“”„–—…•·«»‹›€£¥¢§°±×÷©®™¶†‡ªº¹²³¼½¾¡¿ \u00a0")


@dataclass(frozen=True)
class Decoded:
    """Text decoded from a file's bytes; ``notes`` say what a reader should know (guesses, repairs)."""

    text: str
    encoding: str
    notes: tuple[str, ...] = ()


def decode_bytes(data: bytes) -> str:
    """The text of ``data`` (see :func:`decode`); binary and undecodable data raise ``ArticleError``."""
    return decode(data).text


def decode(data: bytes) -> Decoded:
    """BOMs, UTF-16 without BOM, UTF-8, then a detector's guess; damaged UTF-8 is repaired and noted."""
    if not data.strip():
        raise ArticleError("empty file")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _decode_unicode(data, codec)
    utf16 = _utf16_without_bom(data)
    if utf16:
        return _decode_unicode(data, utf16)
    if b"\x00" in data:
        raise ArticleError("binary file")
    try:
        return Decoded(_check_not_binary(data.decode("utf-8-sig")), "utf-8")
    except UnicodeDecodeError:
        return _damaged_or_legacy(data)


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` when NULs fill one byte of most pairs and almost never the other."""
    pairs = len(data) // 2
    if pairs < 2 or b"\x00" not in data:
        return None
    nul_even, nul_odd = data[0 : 2 * pairs : 2].count(0), data[1 : 2 * pairs : 2].count(0)
    for high, low, codec in ((nul_odd, nul_even, "utf-16-le"), (nul_even, nul_odd, "utf-16-be")):
        if high >= _UTF16_MIN_NUL_SHARE * pairs and low <= _UTF16_MAX_OTHER_NUL_SHARE * pairs:
            return codec
    return None


def _decode_unicode(data: bytes, codec: str) -> Decoded:
    """UTF-16/32 text; a few bad units (a truncated last byte) are replaced and noted."""
    text = data.decode(codec, errors="replace")
    bad = text.count("\ufffd") - data.decode(codec, errors="ignore").count("\ufffd")
    if bad and not _few(bad, len(text)):
        raise ArticleError("not valid text in any known encoding")
    notes = (_replaced_note(bad, codec),) if bad else ()
    return Decoded(_check_not_binary(text.removeprefix("\ufeff")), codec, notes)


def _few(bad: int, length: int) -> bool:
    return bad <= max(_FEW_BAD_SEQUENCES, length * _MAX_BAD_SHARE)


def _replaced_note(bad: int, codec: str) -> str:
    what = "sequence" if bad == 1 else "sequences"
    return f"{bad} invalid {codec.upper()} byte {what} replaced with U+FFFD"


def _damaged_or_legacy(data: bytes) -> Decoded:
    """Bytes that are not valid UTF-8: UTF-8 with stray bytes, or a legacy 8-bit encoding.

    Valid multi-byte UTF-8 sequences almost never occur by chance in legacy text, so when
    they outnumber the bad ones the file is UTF-8 with damage. Otherwise the detector's guess
    is taken if it is trustworthy, and failing that a few bad bytes are still just damage.
    """
    repaired = data.decode("utf-8-sig", errors="replace")
    bad = repaired.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    good = len(_NON_ASCII.findall(repaired))
    if good and bad <= good:
        return Decoded(_check_not_binary(repaired), "utf-8", (_replaced_note(bad, "utf-8"),))
    legacy = _detect(data)
    if legacy is not None:
        return legacy
    if _few(bad, len(repaired)):
        return Decoded(_check_not_binary(repaired), "utf-8", (_replaced_note(bad, "utf-8"),))
    raise ArticleError("not valid text in any known encoding")


def _detect(data: bytes) -> Decoded | None:
    """charset-normalizer's decision, with cp1252/latin-1 preferred among near-ties; ``None`` if unsure."""
    matches = list(from_bytes(data))
    if not matches:
        return None
    best = min(matches, key=lambda m: m.chaos)
    tied = [m for m in matches if m.chaos <= best.chaos + _NEAR_TIE]
    for codec in _WESTERN:
        if any(codec == m.encoding or codec in m.could_be_from_charset for m in tied):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if _looks_western(text):
                return Decoded(_check_not_binary(text), codec, (_guessed_note(codec),))
    evidence = len(data) - len(data.translate(None, _HIGH_BYTES))
    if best.chaos <= _MAX_CHAOS and evidence >= _MIN_EVIDENCE:
        return Decoded(_check_not_binary(str(best)), best.encoding, (_guessed_note(best.encoding),))
    return None


def _looks_western(text: str) -> bool:
    """Non-ASCII characters are letters inside words or typographic marks, never C1 controls."""
    odd = [m.start() for m in _ANY_NON_ASCII.finditer(text)]
    if not odd:
        return True

    def fits(i: int) -> bool:
        ch = text[i]
        if ch in _TYPOGRAPHY:
            return True
        near = text[max(0, i - 1) : i + 2]
        return ch.isalpha() and sum(c.isalpha() for c in near) >= 2

    return sum(map(fits, odd)) >= 0.8 * len(odd)


def _guessed_note(codec: str) -> str:
    return f"not UTF-8: decoded as {codecs.lookup(codec).name} (guessed)"


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
    """NFC, ``\\n`` line ends, single spaces, at most one blank line, no boilerplate lines.

    Cleaning cleaned text changes nothing (PDF page offsets rely on it), so NFC comes after
    invisible and control characters are gone: ``a`` + zero-width space + acute accent
    composes only once the space has been taken out.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    text = _CONTROLS.sub("", text.replace("\f", "\n").replace("\v", "\n"))
    text = unicodedata.normalize("NFC", text)
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
