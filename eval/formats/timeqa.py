"""TimeQA (wenhuchen/Time-Sensitive-QA): one JSON list of Wikipedia pages, each with its questions.

A page is ``{index, link, type, paras, questions}``: ``paras[0]`` is its title,
``questions`` a list of ``[question, [{para, from, end, answer}, ...]]``. An
answer ``""`` means the page does not say, so a question with no other answer
is unanswerable. As a corpus each page is one undated article (title =
``paras[0]``, body = the other paragraphs joined by blank lines); its URL is
the Wikipedia page with the relation as a query (``?relation=P54``), because
one page can appear once per relation and each must stay its own article.
Question ids are ``tq<page>.<n>`` by position; ``type`` is the relation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eval.formats.base import Probe, QuestionSetError
from eval.formats.common import build, finish, load_json_list, make_question
from eval.questions import Question
from rag.articles import source_from_url
from rag.types import Article

WIKIPEDIA = "https://en.wikipedia.org"


def page_url(page: dict[str, Any]) -> str:
    """The page's article URL: ``/wiki/Name`` on Wikipedia, ``?relation=`` its Wikidata relation."""
    link = str(page.get("link") or str(page.get("index") or "").partition("#")[0])
    relation = str(page.get("type") or str(page.get("index") or "").partition("#")[2])
    return f"{WIKIPEDIA}{link}" + (f"?relation={relation}" if relation else "")


def _pages(path: Path) -> list[dict[str, Any]]:
    pages = load_json_list(path)
    for n, page in enumerate(pages):
        if not isinstance(page, dict) or not isinstance(page.get("paras"), list) or not page["paras"]:
            raise QuestionSetError(f"{path} page {n}: expected an object with a non-empty 'paras' list")
    return pages


def load_timeqa_questions(path: Path | str) -> list[Question]:
    """Every page's questions; answers are the non-empty answer texts, sources the page's URL."""
    file = Path(path)
    questions = []
    for p, page in enumerate(_pages(file)):
        for n, item in enumerate(page.get("questions") or []):
            where = f"{file} page {p} question {n}"
            if not isinstance(item, (list, tuple)) or len(item) != 2 or not isinstance(item[1], list):
                raise QuestionSetError(f"{where}: expected [question, [answers]]")
            texts = [str((a.get("answer") if isinstance(a, dict) else a) or "").strip() for a in item[1]]
            answers = list(dict.fromkeys(t for t in texts if t))
            questions.append(
                make_question(
                    {
                        "id": f"tq{p}.{n}",
                        "question": item[0],
                        "answers": answers,
                        "sources": [page_url(page)],
                        "type": page.get("type") or "timeqa",
                        "unanswerable": not answers,
                    },
                    where,
                )
            )
    return questions


def load_timeqa_corpus(path: Path | str) -> list[Article]:
    """One undated article per page."""
    file = Path(path)
    records = []
    for page in _pages(file):
        url = page_url(page)
        paras = [str(p).strip() for p in page["paras"]]
        records.append(
            {
                "title": paras[0] or None,
                "text": "\n\n".join(p for p in paras[1:] if p),
                "url": url,
                "published_at": None,
                "source": source_from_url(url),
            }
        )
    return build(finish(records), origin=str(file))


class TimeQA:
    name = "timeqa"

    def detect(self, probe: Probe) -> bool:
        return probe.suffix == ".json" and probe.has("paras", "questions")

    def load_questions(self, path: Path) -> list[Question]:
        return load_timeqa_questions(path)

    def load_corpus(self, path: Path) -> list[Article]:
        return load_timeqa_corpus(path)
