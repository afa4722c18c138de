"""MultiHop-RAG: ``MultiHopRAG.json`` (queries) with ``corpus.json`` (articles) beside it."""

from __future__ import annotations

from pathlib import Path

from eval.formats.base import Probe, QuestionSetError
from eval.formats.common import load_json_list, load_records_corpus, make_question
from eval.questions import Question
from rag.types import Article

_NO_ANSWER = {"insufficient information", "insufficient information."}


def _file(path: Path, name: str) -> Path:
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
    file = _file(Path(path), "MultiHopRAG.json")
    questions = []
    for n, record in enumerate(load_json_list(file)):
        if not isinstance(record, dict):
            raise QuestionSetError(f"{file} item {n}: expected an object")
        answer = str(record.get("answer") or "").strip()
        kind = record.get("question_type") or "multihop-rag"
        no_answer = kind == "null_query" or answer.lower() in _NO_ANSWER
        evidence = [e for e in record.get("evidence_list") or [] if isinstance(e, dict)]
        sources = list(
            dict.fromkeys(e.get("url") or e.get("title") for e in evidence if e.get("url") or e.get("title"))
        )
        questions.append(
            make_question(
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
    return load_records_corpus(_file(Path(path), "corpus.json"))


class MultiHopRAG:
    name = "multihop-rag"

    def detect(self, probe: Probe) -> bool:
        if probe.path.is_dir():
            return (probe.path / "MultiHopRAG.json").exists()
        return probe.name == "multihoprag.json" or probe.has("query", "evidence_list")

    def load_questions(self, path: Path) -> list[Question]:
        return load_multihop_questions(path)

    def load_corpus(self, path: Path) -> list[Article]:
        return load_multihop_corpus(path)
