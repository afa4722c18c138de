"""What a question's words say about time, read against the day it is asked (``Filters.as_of``).

Two uses: a question about the present ("now", "this week") gets "as of <date>"
after its answer, the day of the newest report it cites, and a question about a
span ("this week", "on Tuesday", "recently", "this year") is not answered from reports
older than that span. In a news archive the same story recurs: an answer to
"Which NFL star announced his retirement on Tuesday?" cited to a report from
years before names the wrong star with every word grounded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

ABOUT_NOW = re.compile(
    r"\b(now|current(ly)?|latest|still|so far|to date|this (week|month|year)|today|recent(ly)?)\b",
    re.IGNORECASE,
)

_DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
# The span each phrase allows, in days before the question's day, with a few days for the report to follow
# the event. The narrowest phrase in the question wins.
SPANS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"\b(today|tonight|yesterday|this morning)\b", re.IGNORECASE), 3),
    (re.compile(rf"\b(this|last) (week|weekend)\b|\bon ({_DAYS})\b", re.IGNORECASE), 10),
    (re.compile(r"\b(this|last) month\b|\brecent(ly)?\b", re.IGNORECASE), 45),
    # "How high will inflation climb this year?" answered from a report five years old.
    (re.compile(r"\bthis (year|season)(['’]s)?\b", re.IGNORECASE), 370),
)


def date_words(day: date | None) -> str:
    """A passage's date as a reader may write it back ("Thursday 28 July 2022"); empty when undated.

    The model sees each passage's date in its heading and may answer "on July 28": that
    figure was shown to it, not made up.
    """
    return f"{day:%A} {day.day} {day:%B} {day.year}" if day else ""


def about_now(question: str) -> bool:
    """True when the question asks about the present, so its answer is dated."""
    return ABOUT_NOW.search(question) is not None


def newest_report(published: Iterable[date | None]) -> date | None:
    """The newest cited report's day; None when nothing is cited or a report is undated (it may be newer)."""
    dates = list(published)
    known = [d for d in dates if d is not None]
    return max(known) if known and len(known) == len(dates) else None


def holds_as_of(as_of: date, published: Iterable[date | None]) -> date:
    """The day an answer about the present is known to hold: its newest cited report's day.

    "How many troops are now in Estonia?" asked today and answered from a report
    of three years ago holds as of that report, not as of today. The asked day
    when a cited report is undated (it may be recent) or nothing is cited.
    """
    newest = newest_report(published)
    return as_of if newest is None else min(as_of, newest)


def span_days(question: str) -> int | None:
    """How many days before its day the question's event may lie, or None when its words set no span."""
    spans = [days for pattern, days in SPANS if pattern.search(question)]
    return min(spans) if spans else None


def is_stale(question: str, as_of: date | None, published: Iterable[date | None]) -> bool:
    """True when the question sets a span and every cited report is dated before it.

    An undated report, a question asked with no day, or no cited report at
    all is never stale: only what is known to be old is refused.
    """
    days = span_days(question)
    newest = newest_report(published)
    if days is None or as_of is None or newest is None:
        return False
    return (as_of - newest).days > days  # every report is older when the newest is
