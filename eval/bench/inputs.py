"""The benchmark's corpus and questions: a RealTimeQA-format folder, optionally its first weeks.

There is no default folder: the data lives wherever its user put it, so it is
given as ``--data`` or ``NEWSDESK_BENCH_DATA`` and never guessed from where the
repository happens to sit.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rag.types import Article

DATA_ENV = "NEWSDESK_BENCH_DATA"
MISSING_DATA = f"give --data FOLDER (a RealTimeQA-format folder) or set {DATA_ENV}"


class BenchInputError(ValueError):
    """The benchmark's inputs are missing or unusable; the message says which and how to fix it."""


def week_names(data: Path) -> list[str]:
    """The weeks of a RealTimeQA folder (``20220617`` for ``20220617_qa.jsonl``), oldest first."""
    return sorted(p.name.removesuffix("_qa.jsonl") for p in Path(data).glob("*_qa.jsonl"))


@contextmanager
def week_folder(data: Path, weeks: int | None) -> Iterator[Path]:
    """``data`` itself, or a temporary folder of links to the first ``weeks`` weeks' files."""
    names = week_names(data)
    if not names:
        raise BenchInputError(f"{data}: no RealTimeQA *_qa.jsonl files ({MISSING_DATA})")
    if not weeks or weeks >= len(names):
        yield Path(data)
        return
    with tempfile.TemporaryDirectory(prefix="bench-weeks-") as tmp:
        for week in names[:weeks]:
            for kind in ("qa", "gcs", "gold"):
                src = Path(data).resolve() / f"{week}_{kind}.jsonl"
                if src.exists():
                    (Path(tmp) / src.name).symlink_to(src)
        yield Path(tmp)


def load_inputs(
    data: Path | None, weeks: int | None = None, max_articles: int | None = None
) -> tuple[list[Article], list[str]]:
    """(articles, question sentences) of the first ``weeks`` weeks; articles unique by id, cut to ``max_articles``."""
    from eval.formats.realtimeqa import load_realtimeqa_corpus, load_realtimeqa_questions

    if data is None:
        raise BenchInputError(MISSING_DATA)
    if not Path(data).is_dir():
        raise BenchInputError(f"{data} is not a folder ({MISSING_DATA})")
    with week_folder(data, weeks) as folder:
        articles = load_realtimeqa_corpus(folder)
        questions = [q.question for q in load_realtimeqa_questions(folder) if q.question.strip()]
    unique = list({a.id: a for a in reversed(articles)}.values())[::-1]  # first copy of an id wins
    if max_articles:
        unique = unique[:max_articles]
    return unique, questions
