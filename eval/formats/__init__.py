"""Question-set formats in, ``Question`` lists and ``Article`` corpora out: one registry.

A format is one module here with a class of the ``QuestionFormat`` protocol
(``name``; ``detect(probe)``; ``load_questions(path)``; ``load_corpus(path)``)
and one line in ``REGISTRY`` naming it. Entries are loaded on first use, so
listing the names (``newsdesk eval --help``) imports no parser. Detection asks
the datasets in registry order, then ours (``jsonl``, ``csv``). ``register`` adds a format object at run time.

- ``jsonl``, ``csv``: our own (``ours``).
- ``realtimeqa``: ``YYYYMMDD_qa.jsonl`` weeks, corpus their search results.
- ``realtimeqa-evidence``: the same questions, corpus every question's snippet (never detected).
- ``multihop-rag``: ``MultiHopRAG.json`` with ``corpus.json`` beside it.
- ``timeqa``: TimeQA's JSON list of Wikipedia pages, each page one undated article.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

from eval.formats.base import Probe, QuestionFormat, QuestionSetError

if TYPE_CHECKING:
    from eval.questions import Question
    from rag.types import Article

__all__ = [
    "REGISTRY",
    "QuestionFormat",
    "QuestionSetError",
    "detect_format",
    "format_names",
    "get",
    "load_corpus",
    "load_questions",
    "register",
]

# name -> "module:Class" (loaded on first use) or a format object; detection order.
REGISTRY: dict[str, str | QuestionFormat] = {
    "jsonl": "eval.formats.ours:Jsonl",
    "csv": "eval.formats.ours:Csv",
    "realtimeqa": "eval.formats.realtimeqa:RealTimeQA",
    "realtimeqa-evidence": "eval.formats.evidence:Evidence",
    "multihop-rag": "eval.formats.multihop:MultiHopRAG",
    "timeqa": "eval.formats.timeqa:TimeQA",
}
# Our own formats, the general ones: detection asks them last (a dataset's ``_qa.jsonl`` is JSON
# lines too), and with them --corpus is detected on its own ("whatever the path holds").
_GENERIC = ("auto", "jsonl", "csv")


def register(fmt: QuestionFormat) -> QuestionFormat:
    """Adds a format object (replacing one of the same name); returns it, so it can decorate an instance."""
    REGISTRY[fmt.name] = fmt
    return fmt


def format_names() -> tuple[str, ...]:
    """``auto`` and every registered name, in registry order."""
    return ("auto", *REGISTRY)


def get(name: str) -> QuestionFormat:
    """The format called ``name``, loading its module the first time."""
    entry = REGISTRY.get(name)
    if entry is None:
        raise QuestionSetError(f"unknown format {name!r}; use one of {', '.join(format_names())}")
    if isinstance(entry, str):
        module, _, cls = entry.partition(":")
        entry = REGISTRY[name] = getattr(importlib.import_module(module), cls)()
    return entry


def detect_format(path: Path | str) -> str:
    """Guesses the format from the path's name and, for JSON, from the first record's fields."""
    path = Path(path)
    if not path.exists():
        raise QuestionSetError(f"{path}: no such file")
    probe = Probe(path)
    order = [n for n in REGISTRY if n not in _GENERIC] + [n for n in REGISTRY if n in _GENERIC]
    for name in order:
        if get(name).detect(probe):
            return name
    if path.is_dir():
        raise QuestionSetError(f"{path}: a folder must hold RealTimeQA *_qa.jsonl files or MultiHopRAG.json")
    if probe.invalid is not None:
        raise QuestionSetError(f"{path}: not valid JSON ({probe.invalid})")
    choices = "|".join(n for n in format_names() if n not in ("auto", "realtimeqa-evidence"))
    raise QuestionSetError(f"{path}: cannot tell its format; pass --format {choices}")


def load_questions(path: Path | str, format: str = "auto") -> list[Question]:
    """Reads a question set in any registered format; ids must be unique."""
    path = Path(path)
    questions = get(detect_format(path) if format == "auto" else format).load_questions(path)
    seen: set[str] = set()
    for question in questions:
        if question.id in seen:
            raise QuestionSetError(f"{path}: question id {question.id!r} appears twice")
        seen.add(question.id)
    return questions


def load_corpus(path: Path | str, format: str = "auto") -> list[Article] | None:
    """The articles ``--corpus PATH`` names, or ``None`` when PATH is plain article files for ``ingest``.

    A dataset format gives its own corpus; with ``auto``, ``jsonl`` or ``csv``
    the path's own format is detected, and a path in none (a ``corpus.json``,
    a ``.json``/``.jsonl`` of article records, a folder of ``.txt``/``.html``
    files) is read as records or left to the desk's normal ingest.
    """
    from eval.formats.common import plain_corpus

    path = Path(path)
    if not path.exists():
        raise QuestionSetError(f"{path}: no such file or folder")
    name = format
    if format in _GENERIC:
        try:
            name = detect_format(path)
        except QuestionSetError:
            return plain_corpus(path)
    return get(name).load_corpus(path)
