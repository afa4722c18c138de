"""Neutral filters as tantivy queries over the records' metadata, kept in one JSON field.

Text and boolean values, ``In`` sets of them and date ranges run inside the
index (dates through their ``YYYYMMDD`` shadow, as Chroma stores them).
Numeric clauses and keys tantivy's paths cannot name are left out of the
index query; the caller then checks every hit with ``Filter.matches``, which
it does anyway, so results always agree with the filter language.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from vectorstore.filters import And, Eq, Filter, In, Range

__all__ = ["DATE_SUFFIX", "META", "filter_query"]

META = "meta"
DATE_SUFFIX = "_int"  # as in vectorstore.chroma.syntax: a date at K is also YYYYMMDD at K_int
_NO_DATE = 10101
_LAST_DATE = 99991231
_SAFE_KEY = re.compile(r"^[A-Za-z0-9_]+$")


def _date_int(value: date) -> int:
    return value.year * 10000 + value.month * 100 + value.day


def _values(index: Any, key: str, values: tuple[Any, ...]) -> Any | None:
    """``key`` is one of the text or boolean ``values``; None when some value is a number."""
    import tantivy

    if any((isinstance(v, int | float) and not isinstance(v, bool)) or v == "" for v in values):
        return None  # numbers: int and float leaves differ in tantivy; "": the raw tokenizer keeps no token
    path = f"{META}.{key}"
    texts = sorted({v for v in values if isinstance(v, str)})
    parts = [
        (tantivy.Occur.Should, tantivy.Query.term_query(index.schema, path, b)) for b in {*values} - {*texts}
    ]
    if texts:
        parts.append((tantivy.Occur.Should, tantivy.Query.term_set_query(index.schema, path, texts)))
    return parts[0][1] if len(parts) == 1 else tantivy.Query.boolean_query(parts)


def _clause(index: Any, clause: Eq | In | Range) -> Any | None:
    if not _SAFE_KEY.match(clause.key):
        return None
    if isinstance(clause, Eq):
        return _values(index, clause.key, (clause.value,))
    if isinstance(clause, In):
        return _values(index, clause.key, clause.values)
    if not clause.on_dates:
        return None
    lo = max(_date_int(clause.gte) if isinstance(clause.gte, date) else _NO_DATE, _NO_DATE)
    hi = _date_int(clause.lte) if isinstance(clause.lte, date) else _LAST_DATE
    return index.parse_query(f"{META}.{clause.key}{DATE_SUFFIX}:[{lo} TO {hi}]")


def filter_query(index: Any, where: Filter) -> tuple[Any | None, bool]:
    """``(query, exact)``: the clauses tantivy can run, and whether they are all of ``where``.

    The query scores nothing (it only narrows), so BM25 ranks by the question alone.
    """
    import tantivy

    clauses = where.clauses if isinstance(where, And) else (where,)
    parts = [None if isinstance(c, And) else _clause(index, c) for c in clauses]  # And is flat
    kept = [p for p in parts if p is not None]
    if not kept:
        return None, False
    query = (
        kept[0] if len(kept) == 1 else tantivy.Query.boolean_query([(tantivy.Occur.Must, p) for p in kept])
    )
    return tantivy.Query.const_score_query(query, 0.0), len(kept) == len(parts)
