"""Our own formats: ``jsonl`` (one JSON object per line, or a JSON array in a ``.json`` file) and ``csv``.

Fields: ``id``, ``question``, ``answers`` (a string or a list; empty =
unanswerable), optional ``sources``, ``type``, ``choices``, ``answer_index``,
``unanswerable``, ``as_of``. In CSV the list columns (``answers``, ``sources``,
``choices``) hold their items separated by ``|``. Their corpus is article
records or plain files (``common.plain_corpus``).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from eval.formats.base import Probe, QuestionSetError
from eval.formats.common import make_question, plain_corpus
from eval.questions import Question
from rag.types import Article

_LIST_SEPARATOR = "|"


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
        questions.append(make_question(record, where))
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
            questions.append(make_question(record, f"{path}:{n}"))
    return questions


class Jsonl:
    name = "jsonl"

    def detect(self, probe: Probe) -> bool:
        return probe.suffix in (".jsonl", ".json") and probe.has("question")

    def load_questions(self, path: Path) -> list[Question]:
        return load_jsonl_questions(path)

    def load_corpus(self, path: Path) -> list[Article] | None:
        return plain_corpus(path)


class Csv:
    name = "csv"

    def detect(self, probe: Probe) -> bool:
        return probe.suffix == ".csv"

    def load_questions(self, path: Path) -> list[Question]:
        return load_csv_questions(path)

    def load_corpus(self, path: Path) -> list[Article] | None:
        return plain_corpus(path)
