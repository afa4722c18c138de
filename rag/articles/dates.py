"""Publication dates as ``datetime.date``; anything unparseable is ``None``, never an error.

A bad date must not cost an article, so every failure path returns ``None``.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from dateutil import parser as date_parser

_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_YEAR_ONLY = re.compile(r"\d{1,4}")  # a bare year (or number) is not a publication day
_NO_YEAR = datetime(1, 1, 1)  # dateutil fills missing parts from this: year 1 means "no year given"
_MIN_YEAR, _MAX_YEAR = 1800, 2200


def parse_date(value: object) -> date | None:
    """Accepts dates, datetimes, ``20220126`` (str or int), ISO and written forms like ``June 12, 2022``."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return _in_range(value.date())
    if isinstance(value, date):
        return _in_range(value)
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 80 or not any(ch.isdigit() for ch in text):
        return None
    if _YEAR_ONLY.fullmatch(text):
        return None
    compact = _COMPACT.fullmatch(text)
    try:
        if compact:
            return _in_range(date(*(int(g) for g in compact.groups())))
        parsed = date_parser.parse(text, default=_NO_YEAR)
    except (ValueError, OverflowError, TypeError, LookupError):
        return None
    if parsed.year == _NO_YEAR.year:
        return None
    return _in_range(parsed.date())


def _in_range(day: date) -> date | None:
    return day if _MIN_YEAR <= day.year <= _MAX_YEAR else None
