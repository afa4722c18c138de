"""Running heads and feet: lines a PDF repeats at the top or bottom of its pages.

A browser's "print to PDF" puts the time, title, URL and "1/3" on every page;
papers repeat their name and page numbers. Left in, such a line sits inside
the article at every page break and in many chunks. A line is one when it
stands alone (shorter than the page's full lines), is among the first or last
``EDGE`` lines of its page, and, its digits ignored, is so on at least half of
the pages with text (two at least; of a PDF of two pages, only a line with a
number or a URL, such as "1/2", a date or the printed page's address).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

EDGE = 2  # lines at each end of a page where running heads and feet are looked for
SHARE = 0.5  # of the pages with text that must repeat a line for it to be one
_DIGITS = re.compile(r"\d+")


def _key(line: str) -> str:
    """The line with its page numbers, dates and times ignored."""
    return _DIGITS.sub("#", line.casefold())


def _edges(lines: Sequence[str], full: float) -> set[int]:
    """Indexes of the lines standing alone among the first and last ``EDGE`` lines with text."""
    filled = [i for i, line in enumerate(lines) if line]
    return {i for i in filled[:EDGE] + filled[-EDGE:] if len(lines[i]) < full}


def strip_running(pages: Sequence[Sequence[str]], full: float) -> tuple[list[list[str]], list[str]]:
    """Each page's lines without its running heads and feet, and those lines (first seen of each).

    ``full``: the length from which a line is a full line of the text, not one standing alone.
    """
    edges = [_edges(lines, full) for lines in pages]
    with_text = sum(1 for lines in pages if any(lines))
    if with_text < 2:
        return [list(lines) for lines in pages], []
    seen: Counter[str] = Counter()
    for lines, ends in zip(pages, edges, strict=True):
        seen.update({_key(lines[i]) for i in ends})
    need = max(2, math.ceil(with_text * SHARE))
    # Two pages repeating a line is thin evidence: there it must carry a number or a URL too.
    running = {k for k, n in seen.items() if n >= need and (with_text > 2 or "#" in k or "://" in k)}
    found: dict[str, str] = {}
    kept: list[list[str]] = []
    for lines, ends in zip(pages, edges, strict=True):
        page: list[str] = []
        for i, line in enumerate(lines):
            if i in ends and _key(line) in running:
                found.setdefault(_key(line), line)
            else:
                page.append(line)
        kept.append(page)
    return kept, list(found.values())
