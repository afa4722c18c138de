"""RealTimeQA: ``YYYYMMDD_qa.jsonl`` files (one, or a folder of weeks); the corpus is the week's
``_gcs.jsonl`` / ``_gold.jsonl`` search results."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from eval.formats.base import Probe, QuestionSetError
from eval.formats.common import authors, build, dedup_by_url, finish, make_question, read_jsonl
from eval.metrics import normalize_url
from eval.questions import Question
from rag.articles import parse_date, source_from_url
from rag.types import Article

_SUFFIXES = ("_qa.jsonl", "_gcs.jsonl", "_gold.jsonl")


def _weeks(path: Path) -> list[tuple[Path, str]]:
    """(folder, week prefix) for each week named by a ``_qa``/``_gcs``/``_gold`` file or found in a folder."""
    if path.is_dir():
        files = sorted(path.glob("*_qa.jsonl"))
        if not files:
            raise QuestionSetError(f"{path}: no RealTimeQA *_qa.jsonl files")
        return [(f.parent, f.name.removesuffix("_qa.jsonl")) for f in files]
    for suffix in _SUFFIXES:
        if path.name.endswith(suffix):
            return [(path.parent, path.name.removesuffix(suffix))]
    raise QuestionSetError(f"{path}: a RealTimeQA file is named YYYYMMDD_qa.jsonl (or _gcs/_gold)")


def _urls(records: Any) -> list[str]:
    if isinstance(records, dict):
        records = [records]
    return [r["url"] for r in records or () if isinstance(r, dict) and r.get("url")]


def realtimeqa_records(path: Path | str) -> Iterator[dict[str, Any]]:
    """The raw ``_qa.jsonl`` rows of the weeks ``path`` names, in week order."""
    for folder, week in _weeks(Path(path)):
        qa_file = folder / f"{week}_qa.jsonl"
        if not qa_file.exists():
            raise QuestionSetError(f"{qa_file}: missing")
        yield from read_jsonl(qa_file)


def realtimeqa_question_urls(path: Path | str) -> dict[str, set[str]]:
    """Per question id, the normalised URLs of its gold article and of its own search results."""
    urls: dict[str, set[str]] = {}
    for folder, week in _weeks(Path(path)):
        for kind in ("gold", "gcs"):
            file = folder / f"{week}_{kind}.jsonl"
            if file.exists():
                for row in read_jsonl(file):
                    found = {normalize_url(u) for u in _urls(row.get("search_result"))}
                    urls.setdefault(str(row.get("question_id")), set()).update(found - {""})
    return urls


def load_realtimeqa_questions(path: Path | str) -> list[Question]:
    """RealTimeQA questions of one week's ``_qa.jsonl`` (or every week in a folder).

    answers = [text of the correct choice]; choices kept; answer_index from
    ``answer[0]``; sources = the URLs in the week's ``_gold.jsonl`` for that
    question (none when absent); type = ``question_source``.
    """
    questions = []
    for folder, week in _weeks(Path(path)):
        qa_file = folder / f"{week}_qa.jsonl"
        if not qa_file.exists():
            raise QuestionSetError(f"{qa_file}: missing")
        gold_file = folder / f"{week}_gold.jsonl"
        gold: dict[str, list[str]] = {}
        if gold_file.exists():
            for record in read_jsonl(gold_file):
                gold[str(record.get("question_id"))] = list(dict.fromkeys(_urls(record.get("search_result"))))
        for n, record in enumerate(read_jsonl(qa_file), start=1):
            qid = str(record.get("question_id") or f"{week}_{n - 1}")
            choices = [str(c) for c in record.get("choices") or []]
            raw = record.get("answer") or []
            index = int(raw[0]) if raw and str(raw[0]).strip().lstrip("-").isdigit() else None
            if index is not None and not 0 <= index < len(choices):
                index = None
            questions.append(
                make_question(
                    {
                        "id": qid,
                        "question": record.get("question_sentence", ""),
                        "answers": [choices[index]] if index is not None else [],
                        "sources": gold.get(qid, []),
                        "type": record.get("question_source") or "realtimeqa",
                        "choices": choices,
                        "answer_index": index,
                        "as_of": parse_date(record.get("question_date")),
                    },
                    f"{qa_file}:{n}",
                )
            )
    return questions


def load_realtimeqa_corpus(path: Path | str) -> list[Article]:
    """Every distinct article (by normalised URL) of the gcs and gold files of the weeks given.

    ``path`` is a ``_qa``/``_gcs``/``_gold`` file of one week or a folder of
    weeks. Gold records (which have no title) get the title of the same URL's
    search result when there is one; the longest text of a URL is kept.
    """
    records: list[dict[str, Any]] = []
    for folder, week in _weeks(Path(path)):
        for kind in ("gold", "gcs"):
            file = folder / f"{week}_{kind}.jsonl"
            if not file.exists():
                continue
            for row in read_jsonl(file):
                results = row.get("search_result") or []
                for item in [results] if isinstance(results, dict) else results:
                    if not isinstance(item, dict) or not item.get("url"):
                        continue
                    records.append(
                        {
                            "title": (item.get("title") or "").strip() or None,
                            "text": (item.get("text") or "").strip(),
                            "url": item["url"].strip(),
                            "published_at": item.get("publish_date"),
                            "author": authors(item.get("authors")),
                            "source": source_from_url(item["url"]),
                        }
                    )
    return build(finish(dedup_by_url(records)), origin=str(path))


class RealTimeQA:
    name = "realtimeqa"

    def detect(self, probe: Probe) -> bool:
        if probe.path.is_dir():
            return any(probe.path.glob("*_qa.jsonl"))
        return probe.name.endswith(_SUFFIXES) or probe.has("question_sentence")

    def load_questions(self, path: Path) -> list[Question]:
        return load_realtimeqa_questions(path)

    def load_corpus(self, path: Path) -> list[Article]:
        return load_realtimeqa_corpus(path)
