"""A small, store-neutral filter language over record metadata.

Callers say *what* they want (``article_id in [...]``, ``published between two
dates``) and each store translates it into its own syntax; ``matches`` applies
the very same test in Python, so results filtered outside the store (keyword
hits) agree with results the store filtered.

Semantics, shared by ``matches`` and every store:

* values compare by kind: ``bool`` only equals ``bool``; ``int`` and ``float``
  compare as numbers; ``str`` only equals ``str``;
* a record without the key never matches any clause on that key;
* ``Range`` is inclusive; with numeric bounds it matches int/float values;
  with ``date`` bounds it matches dates: values written as ``datetime.date``
  or as ISO strings ``YYYY-MM-DD`` (dates read back as such strings); ``""`` or
  any other value does not match;
* numbers in filters are finite and within ±2**53 (exact as floats);
* ``In`` with no values matches nothing; ``And`` matches when every clause does.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeAlias

Scalar: TypeAlias = str | int | float | bool
Bound: TypeAlias = int | float | date


def _check_key(key: object) -> None:
    if not isinstance(key, str) or not key:
        raise ValueError(f"a filter key must be a non-empty string, got {key!r}")


# Numbers in filters stay where a float is exact, so every store can compare them faithfully.
MAX_NUMBER = 2**53


def _check_number(value: int | float) -> None:
    if isinstance(value, bool):
        return
    if not math.isfinite(value) or abs(value) > MAX_NUMBER:
        raise ValueError(f"filter numbers must be finite and within ±2**53, got {value!r}")


def _check_scalar(value: object) -> None:
    if isinstance(value, date):
        raise TypeError(f"dates only go in a Range (between(key, d, d) for one day), got {value!r}")
    if not isinstance(value, str | int | float | bool):
        raise TypeError(f"a filter value must be str, int, float or bool, got {value!r}")
    if isinstance(value, int | float):
        _check_number(value)


def _same(a: object, b: Scalar) -> bool:
    """Equality by kind: True is not 1, 1 is 1.0, "1" is neither."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    return isinstance(a, int | float) and a == b


def as_date(value: object) -> date | None:
    """A date, or an ISO ``YYYY-MM-DD`` string, as a date; anything else (datetimes too) None."""
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class Eq:
    """``metadata[key] == value``."""

    key: str
    value: Scalar

    def __post_init__(self) -> None:
        _check_key(self.key)
        _check_scalar(self.value)

    def matches(self, metadata: Mapping[str, Any]) -> bool:
        return self.key in metadata and _same(metadata[self.key], self.value)


@dataclass(frozen=True)
class In:
    """``metadata[key]`` is one of ``values`` (none: matches nothing)."""

    key: str
    values: tuple[Scalar, ...]

    def __post_init__(self) -> None:
        _check_key(self.key)
        if isinstance(self.values, str | bytes):
            raise TypeError("In needs a collection of values, not a single string")
        object.__setattr__(self, "values", tuple(self.values))
        for v in self.values:
            _check_scalar(v)

    def matches(self, metadata: Mapping[str, Any]) -> bool:
        if self.key not in metadata:
            return False
        value = metadata[self.key]
        return any(_same(value, v) for v in self.values)


@dataclass(frozen=True)
class Range:
    """``gte <= metadata[key] <= lte``; either bound may be left open, both numeric or both dates."""

    key: str
    gte: Bound | None = None
    lte: Bound | None = None

    def __post_init__(self) -> None:
        _check_key(self.key)
        bounds = [b for b in (self.gte, self.lte) if b is not None]
        if not bounds:
            raise ValueError(f"Range on {self.key!r} needs at least one bound")
        for b in bounds:
            if isinstance(b, bool | datetime) or not isinstance(b, int | float | date):
                raise TypeError(f"a Range bound must be int, float or datetime.date, got {b!r}")
            if not isinstance(b, date):
                _check_number(b)
        if len({isinstance(b, date) for b in bounds}) > 1:
            raise TypeError(f"Range on {self.key!r} mixes a date and a number")

    @property
    def on_dates(self) -> bool:
        return isinstance(self.gte, date) or isinstance(self.lte, date)

    def matches(self, metadata: Mapping[str, Any]) -> bool:
        if self.key not in metadata:
            return False
        raw = metadata[self.key]
        value: Any
        if self.on_dates:
            value = as_date(raw)
            if value is None:
                return False
        elif isinstance(raw, bool) or not isinstance(raw, int | float):
            return False
        else:
            value = raw
        if self.gte is not None and value < self.gte:
            return False
        return not (self.lte is not None and value > self.lte)


@dataclass(frozen=True)
class And:
    """Every clause matches; nested ``And``s are flattened."""

    clauses: tuple[Filter, ...]

    def __post_init__(self) -> None:
        flat: list[Filter] = []
        for c in self.clauses:
            if isinstance(c, And):
                flat.extend(c.clauses)
            elif isinstance(c, Eq | In | Range):
                flat.append(c)
            else:
                raise TypeError(f"not a filter: {c!r}")
        if not flat:
            raise ValueError("And needs at least one clause (use no filter to match everything)")
        object.__setattr__(self, "clauses", tuple(flat))

    def matches(self, metadata: Mapping[str, Any]) -> bool:
        return all(c.matches(metadata) for c in self.clauses)


Filter: TypeAlias = Eq | In | Range | And


def eq(key: str, value: Scalar) -> Eq:
    return Eq(key, value)


def any_of(key: str, values: Iterable[Scalar]) -> In:
    if isinstance(values, str | bytes):
        raise TypeError("any_of needs a collection of values, not a single string")
    return In(key, tuple(values))


def between(key: str, gte: Bound | None = None, lte: Bound | None = None) -> Range:
    return Range(key, gte, lte)


def all_of(*filters: Filter | None) -> Filter | None:
    """The conjunction of the filters given, skipping ``None``; ``None`` when none are left."""
    present = [f for f in filters if f is not None]
    if not present:
        return None
    return present[0] if len(present) == 1 else And(tuple(present))


def matches(where: Filter | None, metadata: Mapping[str, Any]) -> bool:
    """``where.matches(metadata)``, with no filter matching everything."""
    return True if where is None else where.matches(metadata)


def is_empty_match(where: Filter) -> bool:
    """True when the filter can match nothing for structural reasons (an ``In`` with no values)."""
    clauses = where.clauses if isinstance(where, And) else (where,)
    return any(isinstance(c, In) and not c.values for c in clauses)
