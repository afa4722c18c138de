"""Chroma's syntax: ``where`` dicts from neutral filters, and how metadata is stored and read back.

Chroma compares only numbers, so every date value is also stored as its integer
shadow (``published`` beside ``published_int`` = YYYYMMDD), and date ranges
filter on the shadow.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from vectorstore.base import Metadata, Record
from vectorstore.filters import And, Eq, Filter, In, Range, Scalar, as_date, is_empty_match

__all__ = ["Where", "date_int", "record", "to_chroma_where", "to_stored", "translate"]

# Chroma's own ``where`` dict: made here from a neutral filter, never taken from a caller.
Where = dict[str, Any]

# A date value at key K is also stored as YYYYMMDD at K + _DATE_SUFFIX, which Chroma can compare.
_DATE_SUFFIX = "_int"
_NO_DATE = 10101  # date_int(date.min): every real date is at least this; 0 means "no date"


def date_int(value: date | None) -> int:
    """``2022-01-26`` -> ``20220126``; ``None`` -> 0 (the stored form of "no date")."""
    return value.year * 10000 + value.month * 100 + value.day if value else 0


def to_stored(metadata: Metadata) -> dict[str, Any]:
    """Dates become ISO strings plus their integer shadow, so date ranges can be filtered in Chroma."""
    out: dict[str, Any] = {}
    for key, value in metadata.items():
        if isinstance(value, datetime):
            raise TypeError(f"metadata {key!r}: store a date or an ISO string, not a datetime")
        day = as_date(value)
        if day is not None:
            out[key] = day.isoformat()
            out[key + _DATE_SUFFIX] = date_int(day)
        elif key not in out:
            out[key] = value
    return out


def _any(parts: list[Where]) -> Where:
    return parts[0] if len(parts) == 1 else {"$or": parts}


def _all(parts: list[Where]) -> Where:
    return parts[0] if len(parts) == 1 else {"$and": parts}


# Chroma compares an int value with a float operand by first turning the operand into an int
# (``n >= 2.5`` holds for n = 2; ``n == 2.5`` too), while an int operand compares with ints and
# floats alike. So whole numbers always go as ints, and a fractional operand x is only ever used
# in shapes that no int can satisfy, whichever way Chroma rounds x: ``$eq x`` next to ``$nin``
# of x's neighbours, or ``$gt``/``$lt`` between x and the next whole number.


def _neighbours(x: float) -> list[int]:
    return sorted({math.floor(x), math.ceil(x), int(x)})


def _equals_fraction(key: str, xs: Sequence[float]) -> Where:
    near = sorted({n for x in xs for n in _neighbours(x)})
    return {"$and": [{key: {"$in": sorted(set(xs))}}, {key: {"$nin": near}}]}


def _at_least(key: str, x: float) -> Where:
    if float(x).is_integer():
        return {key: {"$gte": int(x)}}
    up = math.ceil(x)
    return _any(
        [
            {key: {"$gte": up}},
            {"$and": [{key: {"$gt": x}}, {key: {"$lt": up}}]},
            _equals_fraction(key, [x]),
        ]
    )


def _at_most(key: str, x: float) -> Where:
    if float(x).is_integer():
        return {key: {"$lte": int(x)}}
    down = math.floor(x)
    return _any(
        [
            {key: {"$lte": down}},
            {"$and": [{key: {"$gt": down}}, {key: {"$lt": x}}]},
            _equals_fraction(key, [x]),
        ]
    )


def _in_clause(key: str, values: Sequence[Scalar]) -> Where | None:
    """``key in values`` for Chroma, whose ``$in`` takes one type per list and tells bools from numbers."""
    bools = sorted({v for v in values if isinstance(v, bool)})
    strs = sorted({v for v in values if isinstance(v, str)})
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    whole = sorted({int(v) for v in numbers if float(v).is_integer()})
    fractions = [float(v) for v in numbers if not float(v).is_integer()]
    parts: list[Where] = [{key: {"$in": list(group)}} for group in (bools, strs, whole) if group]
    if fractions:
        parts.append(_equals_fraction(key, fractions))
    return _any(parts) if parts else None


def _range_clauses(r: Range) -> list[Where]:
    if r.on_dates:
        key = r.key + _DATE_SUFFIX
        lo = max(date_int(r.gte) if isinstance(r.gte, date) else _NO_DATE, _NO_DATE)
        clauses: list[Where] = [{key: {"$gte": lo}}]
        if isinstance(r.lte, date):
            clauses.append({key: {"$lte": date_int(r.lte)}})
        return clauses
    clauses = []
    if isinstance(r.gte, int | float):
        clauses.append(_at_least(r.key, r.gte))
    if isinstance(r.lte, int | float):
        clauses.append(_at_most(r.key, r.lte))
    return clauses


def to_chroma_where(where: Filter | None) -> Where | None:
    """The Chroma ``where`` dict for a neutral filter (``None``: no filter).

    Callers check ``is_empty_match`` first: Chroma cannot say "match nothing".
    """
    if where is None:
        return None
    clauses: list[Where] = []
    for c in where.clauses if isinstance(where, And) else (where,):
        if isinstance(c, Eq):
            clause = _in_clause(c.key, [c.value])
            if clause is not None:
                clauses.append(clause)
        elif isinstance(c, In):
            clause = _in_clause(c.key, c.values)
            if clause is None:
                raise ValueError("an empty In matches nothing; check is_empty_match first")
            clauses.append(clause)
        elif isinstance(c, Range):
            clauses.extend(_range_clauses(c))
        else:  # And flattens its clauses, so none is an And
            raise TypeError(f"not a filter clause: {c!r}")
    return _all(clauses)


def translate(where: Filter | None) -> tuple[bool, Where | None]:
    """``(can_match, chroma_where)`` for a ``where`` argument; anything but a neutral filter is refused."""
    if where is None:
        return True, None
    if not isinstance(where, Eq | In | Range | And):
        raise TypeError(
            f"where takes a vectorstore.filters filter (eq, any_of, between, all_of), not {where!r}"
        )
    if is_empty_match(where):
        return False, None
    return True, to_chroma_where(where)


def record(id_: str, doc: str | None, meta: Any) -> Record:
    """A ``Record`` from what Chroma returns for one row."""
    return Record(id=id_, text=doc or "", metadata=dict(meta or {}))
