"""Question-set formats in, ``Question`` lists and ``Article`` corpora out.

Formats:

- ``jsonl``: our own; one JSON object per line (or a JSON array in a ``.json``
  file) with ``id``, ``question``, ``answers`` (a string or a list; empty =
  unanswerable), optional ``sources``, ``type``, ``choices``, ``answer_index``,
  ``unanswerable``.
- ``csv``: the same columns; list columns (``answers``, ``sources``,
  ``choices``) hold their items separated by ``|``.
- ``realtimeqa``: ``YYYYMMDD_qa.jsonl`` files (one, or a folder of them) with
  the week's ``_gcs.jsonl`` / ``_gold.jsonl`` as the corpus.
- ``realtimeqa-evidence``: the same questions; the corpus is every question's
  ``evidence`` snippet (``eval.evidence``).
- ``multihop-rag``: ``MultiHopRAG.json`` with ``corpus.json`` beside it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from eval.metrics import normalize_url
from eval.questions import Question
from rag.articles import articles_from_records
from rag.errors import ArticleError, NewsdeskError
from rag.types import Article

FORMATS = ("auto", "jsonl", "csv", "realtimeqa", "realtimeqa-evidence", "multihop-rag")
_LIST_SEPARATOR = "|"
_MULTIHOP_NO_ANSWER = {"insufficient information", "insufficient information."}


class QuestionSetError(NewsdeskError):
    """A question set or corpus file cannot be read; the message says which and why."""


# ---------------------------------------------------------------- detection


def _first_record(path: Path) -> Any:
    with path.open(encoding="utf-8-sig") as handle:
        if path.suffix.lower() == ".jsonl":
            for line in handle:
                if line.strip():
                    return json.loads(line)
            return None
        data = json.load(handle)
    return data[0] if isinstance(data, list) and data else data


def detect_format(path: Path | str) -> str:
    """Guesses the format from the path's name and, for JSON, from the first record's fields."""
    path = Path(path)
    if path.is_dir():
        if any(path.glob("*_qa.jsonl")):
            return "realtimeqa"
        if (path / "MultiHopRAG.json").exists():
            return "multihop-rag"
        raise QuestionSetError(f"{path}: a folder must hold RealTimeQA *_qa.jsonl files or MultiHopRAG.json")
    if not path.exists():
        raise QuestionSetError(f"{path}: no such file")
    name = path.name.lower()
    if name.endswith(("_qa.jsonl", "_gcs.jsonl", "_gold.jsonl")):
        return "realtimeqa"
    if name == "multihoprag.json":
        return "multihop-rag"
    if path.suffix.lower() == ".csv":
        return "csv"
    if path.suffix.lower() in (".jsonl", ".json"):
        try:
            record = _first_record(path)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise QuestionSetError(f"{path}: not valid JSON ({exc})") from None
        if isinstance(record, dict):
            if "question_sentence" in record:
                return "realtimeqa"
            if "query" in record and "evidence_list" in record:
                return "multihop-rag"
            if "question" in record:
                return "jsonl"
    raise QuestionSetError(f"{path}: cannot tell its format; pass --format jsonl|csv|realtimeqa|multihop-rag")


def load_questions(path: Path | str, format: str = "auto") -> list[Question]:
    """Reads a question set in any supported format; ids must be unique."""
    path = Path(path)
    fmt = detect_format(path) if format == "auto" else format
    from eval.evidence import load_evidence_questions

    loaders = {
        "realtimeqa-evidence": load_evidence_questions,
        "jsonl": load_jsonl_questions,
        "csv": load_csv_questions,
        "realtimeqa": load_realtimeqa_questions,
        "multihop-rag": load_multihop_questions,
    }
    if fmt not in loaders:
        raise QuestionSetError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    questions = loaders[fmt](path)
    seen: set[str] = set()
    for question in questions:
        if question.id in seen:
            raise QuestionSetError(f"{path}: question id {question.id!r} appears twice")
        seen.add(question.id)
    return questions


# ---------------------------------------------------------------- our format


def _question(record: dict[str, Any], where: str) -> Question:
    try:
        return Question.model_validate(record)
    except (ValidationError, ValueError, TypeError) as exc:
        raise QuestionSetError(f"{where}: {exc}") from None


def load_jsonl_questions(path: Path | str) -> list[Question]:
    """Our JSON lines format (or a JSON array of the same objects); a missing id becomes ``q<line>``."""
    path = Path(path)
    records: list[tuple[str, Any]] = []
    if path.suffix.lower() == ".json":
        data = json.loads(path.read_text(encoding="utf-8-sig"))
        if not isinstance(data, list):
            raise QuestionSetError(f"{path}: expected a JSON array of questions")
        records = [(f"{path} item {n}", item) for n, item in enumerate(data, start=1)]
    else:
        for n, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            try:
                records.append((f"{path}:{n}", json.loads(line)))
            except json.JSONDecodeError as exc:
                raise QuestionSetError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
    questions = []
    for n, (where, record) in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise QuestionSetError(f"{where}: expected a JSON object")
        record = dict(record)
        record.setdefault("id", f"q{n}")
        questions.append(_question(record, where))
    return questions


def load_csv_questions(path: Path | str) -> list[Question]:
    """Our CSV format: a header row; ``answers``, ``sources`` and ``choices`` split on ``|``."""
    path = Path(path)
    questions = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for n, row in enumerate(csv.DictReader(handle), start=2):
            record: dict[str, Any] = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            for key in ("answers", "sources", "choices"):
                record[key] = [s for s in record.get(key, "").split(_LIST_SEPARATOR) if s.strip()]
            for key in ("type", "answer_index", "as_of"):
                if not record.get(key):
                    record.pop(key, None)
            flag = record.pop("unanswerable", "").lower()
            if flag:
                record["unanswerable"] = flag in ("1", "true", "yes", "y")
            if not record.get("id"):
                record["id"] = f"q{n - 1}"
            questions.append(_question(record, f"{path}:{n}"))
    return questions


# ---------------------------------------------------------------- articles


def _parse_date(value: Any) -> date | None:
    if not value:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for parse in (
        lambda s: datetime.fromisoformat(s).date(),
        lambda s: datetime.strptime(s[:10], "%Y/%m/%d").date(),
        lambda s: datetime.strptime(s[:8], "%Y%m%d").date(),
    ):
        try:
            return parse(text)
        except ValueError:
            continue
    try:
        from dateutil import parser as date_parser

        return date_parser.parse(text).date()
    except (ImportError, ValueError, OverflowError):
        return None


def _host(url: str | None) -> str | None:
    host = urlsplit(url or "").netloc.lower().removeprefix("www.")
    return host or None


def _build(records: list[dict[str, Any]], origin: str) -> list[Article]:
    """Articles through the project's own builder, so ids and cleaning match a normal ingest."""
    if not records:
        return []
    try:
        return articles_from_records(records, origin=origin)
    except ArticleError:  # every text was boilerplate once cleaned
        return []


def _authors(value: Any) -> str | None:
    if isinstance(value, (list, tuple)):
        names = [str(v).strip() for v in value if str(v).strip()]
        return ", ".join(names) or None
    return (str(value).strip() or None) if value else None


def _dedup_by_url(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per normalised URL, first-seen order: the longest text wins, a missing title is filled in.

    Records without text are dropped: there is nothing to retrieve from them.
    """
    kept: dict[str, dict[str, Any]] = {}
    for record in records:
        key = normalize_url(record.get("url")) or record.get("text", "")
        if not key:
            continue
        current = kept.get(key)
        if current is None:
            kept[key] = dict(record)
            continue
        if len(record.get("text") or "") > len(current.get("text") or ""):
            title = current.get("title")
            current.update({k: v for k, v in record.items() if v})
            current["title"] = record.get("title") or title
        for field in ("title", "published_at", "author", "source"):
            if not current.get(field) and record.get(field):
                current[field] = record[field]
    return [r for r in kept.values() if (r.get("text") or "").strip()]


# ---------------------------------------------------------------- RealTimeQA


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for n, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise QuestionSetError(f"{path}:{n}: not valid JSON ({exc.msg})") from None


def _realtimeqa_weeks(path: Path) -> list[tuple[Path, str]]:
    """(folder, week prefix) for each week named by a ``_qa``/``_gcs``/``_gold`` file or found in a folder."""
    if path.is_dir():
        files = sorted(path.glob("*_qa.jsonl"))
        if not files:
            raise QuestionSetError(f"{path}: no RealTimeQA *_qa.jsonl files")
        return [(f.parent, f.name.removesuffix("_qa.jsonl")) for f in files]
    for suffix in ("_qa.jsonl", "_gcs.jsonl", "_gold.jsonl"):
        if path.name.endswith(suffix):
            return [(path.parent, path.name.removesuffix(suffix))]
    raise QuestionSetError(f"{path}: a RealTimeQA file is named YYYYMMDD_qa.jsonl (or _gcs/_gold)")


def _urls(records: Any) -> list[str]:
    if isinstance(records, dict):
        records = [records]
    return [r["url"] for r in records or () if isinstance(r, dict) and r.get("url")]


def realtimeqa_records(path: Path | str) -> Iterator[dict[str, Any]]:
    """The raw ``_qa.jsonl`` rows of the weeks ``path`` names, in week order."""
    for folder, week in _realtimeqa_weeks(Path(path)):
        qa_file = folder / f"{week}_qa.jsonl"
        if not qa_file.exists():
            raise QuestionSetError(f"{qa_file}: missing")
        yield from _read_jsonl(qa_file)


def realtimeqa_question_urls(path: Path | str) -> dict[str, set[str]]:
    """Per question id, the normalised URLs of its gold article and of its own search results."""
    urls: dict[str, set[str]] = {}
    for folder, week in _realtimeqa_weeks(Path(path)):
        for kind in ("gold", "gcs"):
            file = folder / f"{week}_{kind}.jsonl"
            if file.exists():
                for row in _read_jsonl(file):
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
    for folder, week in _realtimeqa_weeks(Path(path)):
        qa_file = folder / f"{week}_qa.jsonl"
        if not qa_file.exists():
            raise QuestionSetError(f"{qa_file}: missing")
        gold_file = folder / f"{week}_gold.jsonl"
        gold: dict[str, list[str]] = {}
        if gold_file.exists():
            for record in _read_jsonl(gold_file):
                gold[str(record.get("question_id"))] = list(dict.fromkeys(_urls(record.get("search_result"))))
        for n, record in enumerate(_read_jsonl(qa_file), start=1):
            qid = str(record.get("question_id") or f"{week}_{n - 1}")
            choices = [str(c) for c in record.get("choices") or []]
            raw = record.get("answer") or []
            index = int(raw[0]) if raw and str(raw[0]).strip().lstrip("-").isdigit() else None
            if index is not None and not 0 <= index < len(choices):
                index = None
            questions.append(
                _question(
                    {
                        "id": qid,
                        "question": record.get("question_sentence", ""),
                        "answers": [choices[index]] if index is not None else [],
                        "sources": gold.get(qid, []),
                        "type": record.get("question_source") or "realtimeqa",
                        "choices": choices,
                        "answer_index": index,
                        "as_of": _parse_date(record.get("question_date")),
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
    origin = str(path)
    for folder, week in _realtimeqa_weeks(Path(path)):
        for kind in ("gold", "gcs"):
            file = folder / f"{week}_{kind}.jsonl"
            if not file.exists():
                continue
            for row in _read_jsonl(file):
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
                            "author": _authors(item.get("authors")),
                            "source": _host(item["url"]),
                        }
                    )
    return _build(_finish(_dedup_by_url(records)), origin=origin)


def _finish(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Dates as ISO strings and a title for every record, so any article builder accepts them."""
    for record in records:
        parsed = _parse_date(record.get("published_at"))
        record["published_at"] = parsed.isoformat() if parsed else None
        if not record.get("title"):
            record["title"] = _title_from_url(record["url"]) if record.get("url") else "Untitled"
    return records


def _title_from_url(url: str) -> str:
    """A readable stand-in title from the URL's last meaningful path segment."""
    segments = [s for s in urlsplit(url).path.split("/") if s and s not in ("index.html", "index.htm")]
    if not segments:
        return _host(url) or url
    slug = segments[-1].rsplit(".", 1)[0]
    return slug.replace("-", " ").replace("_", " ").strip().capitalize() or url


# ---------------------------------------------------------------- MultiHop-RAG


def _load_json_list(path: Path) -> list[Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, json.JSONDecodeError) as exc:
        raise QuestionSetError(f"{path}: cannot read ({exc})") from None
    if not isinstance(data, list):
        raise QuestionSetError(f"{path}: expected a JSON array")
    return data


def _multihop_file(path: Path, name: str) -> Path:
    if path.is_dir():
        return path / name
    if path.name != name and name == "corpus.json" and path.name.lower() == "multihoprag.json":
        return path.parent / name
    return path


def load_multihop_questions(path: Path | str) -> list[Question]:
    """MultiHop-RAG queries: answers = [answer], sources = the evidence URLs, type = question_type.

    ``null_query`` questions (answer "Insufficient information.") are unanswerable.
    Ids are ``mh<position>``, stable as long as the file is.
    """
    file = _multihop_file(Path(path), "MultiHopRAG.json")
    questions = []
    for n, record in enumerate(_load_json_list(file)):
        if not isinstance(record, dict):
            raise QuestionSetError(f"{file} item {n}: expected an object")
        answer = str(record.get("answer") or "").strip()
        kind = record.get("question_type") or "multihop-rag"
        no_answer = kind == "null_query" or answer.lower() in _MULTIHOP_NO_ANSWER
        evidence = [e for e in record.get("evidence_list") or [] if isinstance(e, dict)]
        sources = list(
            dict.fromkeys(e.get("url") or e.get("title") for e in evidence if e.get("url") or e.get("title"))
        )
        questions.append(
            _question(
                {
                    "id": str(record.get("id") or f"mh{n}"),
                    "question": record.get("query", ""),
                    "answers": [] if no_answer else [answer],
                    "sources": sources,
                    "type": kind,
                    "unanswerable": no_answer,
                },
                f"{file} item {n}",
            )
        )
    return questions


def load_multihop_corpus(path: Path | str) -> list[Article]:
    """The articles of MultiHop-RAG's ``corpus.json`` (or the one beside ``MultiHopRAG.json``), deduplicated by URL."""
    file = _multihop_file(Path(path), "corpus.json")
    return load_records_corpus(file)


def load_records_corpus(path: Path | str) -> list[Article]:
    """Articles from a JSON array or JSON lines of records with the usual field names, deduplicated by URL.

    Fields: title, body|text|content, url, published_at|date|publish_date,
    source, author|authors.
    """
    file = Path(path)
    rows = list(_read_jsonl(file)) if file.suffix.lower() == ".jsonl" else _load_json_list(file)
    records = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        text = str(row.get("body") or row.get("text") or row.get("content") or "").strip()
        records.append(
            {
                "title": (row.get("title") or "").strip() or None,
                "text": text,
                "url": (row.get("url") or "").strip() or None,
                "published_at": row.get("published_at") or row.get("date") or row.get("publish_date"),
                "source": row.get("source"),
                "author": _authors(row.get("author") or row.get("authors")),
            }
        )
    return _build(_finish(_dedup_by_url(records)), origin=str(file))


def load_corpus(path: Path | str, format: str = "auto") -> list[Article] | None:
    """The articles ``--corpus PATH`` names, or ``None`` when PATH is plain article files for ``ingest``.

    RealTimeQA and MultiHop-RAG paths give their adapters' corpora; a
    ``.json``/``.jsonl`` file of article records gives those; anything else (a
    folder of ``.txt``/``.html`` files, one such file) is left to the desk's
    normal ingest.
    """
    path = Path(path)
    if not path.exists():
        raise QuestionSetError(f"{path}: no such file or folder")
    fmt = format
    if fmt in ("auto", "jsonl", "csv"):
        try:
            fmt = detect_format(path)
        except QuestionSetError:
            fmt = "plain"
    if fmt == "realtimeqa":
        return load_realtimeqa_corpus(path)
    if fmt == "realtimeqa-evidence":
        from eval.evidence import load_evidence_corpus

        return load_evidence_corpus(path)
    if (
        fmt == "multihop-rag"
        or path.name == "corpus.json"
        or (path.is_dir() and (path / "corpus.json").exists())
    ):
        return load_multihop_corpus(path)
    if path.is_file() and path.suffix.lower() in (".json", ".jsonl"):
        return load_records_corpus(path)
    return None
