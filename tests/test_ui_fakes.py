"""A fake ``Newsdesk`` and helpers shared by the UI tests (no tests in here).

``FakeDesk`` answers extractively from the sample articles: it retrieves the
passages sharing most words with the question, answers with their best
sentences marked ``[1]``, ``[2]`` and highlights those sentences. Tests can
also queue an ``Answer`` or an exception for the next question.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from rag.errors import ArticleError
from rag.types import Answer, Citation, IngestFailure, IngestReport, Passage, Retrieval

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "data" / "articles").glob("*.txt"))
ANTI_TANK = "How many anti-tank weapons did the UK send to Ukraine?"
_STOP = set(
    "a an and are as at be by did do does for from had has have how in is it its of on or so that the "
    "this to was were what when where which who why will with many much".split()
)
_SENT = re.compile(r"[^.!?\n]+[.!?]?")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def upload_via_library(page: Any, path: Path) -> str:
    """Uploads ``path`` in the Library tab and returns the per-file result once ingest is finished.

    While a file is being read the result table shows progress text, so the wait is
    for the summary line and for that progress text to be gone.
    """
    page.get_by_role("tab", name="Library").click()
    page.locator("#nd-upload input[type=file]").set_input_files(str(path))
    page.wait_for_function(f"document.querySelector('#nd-upload').innerText.includes('{path.stem}')")
    page.locator("#nd-ingest").click()
    page.wait_for_function("document.querySelector('#nd-ingest-summary').innerText.includes('ingested')")
    page.wait_for_function(
        f"document.querySelector('#nd-ingest-result').innerText.includes('{path.name}')"
        " && !document.querySelector('#nd-ingest-result').innerText.includes('Reading')"
    )
    return str(page.locator("#nd-ingest-result").inner_text())


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9][a-z0-9,'-]*[a-z0-9]|[a-z0-9]", text.lower())} - _STOP


def _short(text: str, size: int = 80) -> str:
    text = text.strip()
    return text if len(text) <= size else text[:size].rsplit(" ", 1)[0] + "…"


def parse_article(path: Path) -> dict[str, Any]:
    """Title line, optional YYYYMMDD line, optional URL line, then the body (the samples' layout)."""
    raw = path.read_text(encoding="utf-8", errors="replace").strip()
    if not raw:
        raise ArticleError(f"{path.name}: empty file")
    lines = raw.splitlines()
    meta: dict[str, Any] = {"title": _short(lines[0]), "published": None, "url": None}
    body = lines[1:]
    if body and re.fullmatch(r"\d{8}", body[0].strip()):
        d = body.pop(0).strip()
        meta["published"] = date(int(d[:4]), int(d[4:6]), int(d[6:]))
    if body and body[0].strip().startswith("http"):
        meta["url"] = body.pop(0).strip()
    m = re.match(r"\s*date (\d{4}-\d{2}-\d{2})\s+", raw)
    if m:  # the other sample's layout: "date YYYY-MM-DD <body>"
        meta["published"] = date.fromisoformat(m.group(1))
        text = raw[m.end() :]
        meta["title"] = _short(_SENT.match(text).group(0))  # type: ignore[union-attr]
    else:
        text = "\n".join(body).strip() or raw
    meta["source"] = urlsplit(meta["url"]).netloc.removeprefix("www.") if meta["url"] else "ukdefencejournal"
    meta["text"] = text
    meta["id"] = path.stem
    return meta


def _chunks(text: str, size: int = 450) -> list[tuple[int, int]]:
    """Paragraph-aligned (start, end) spans of about ``size`` characters."""
    spans, start = [], 0
    for m in re.finditer(r"\n+", text + "\n"):
        if m.start() - start >= size or m.end() >= len(text):
            spans.append((start, min(m.start(), len(text))))
            start = m.end()
    return [(s, e) for s, e in spans if e > s]


class FakeDesk:
    """Thread-safe stand-in for ``rag.api.Newsdesk`` that records every call."""

    def __init__(
        self, paths: Sequence[Path] = SAMPLES, *, delay: float = 0.03, gate: threading.Event | None = None
    ) -> None:
        self.delay = delay
        self.gate = gate  # when given, every ask waits for it: a test decides when answers come
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.queued: deque[Answer | BaseException] = deque()
        self.articles: dict[str, dict[str, Any]] = {}
        self.active = self.max_active = 0  # concurrent ask calls, to check the queue's limit
        self._lock = threading.Lock()
        for p in paths:
            self._add(parse_article(Path(p)))

    # Helpers for tests ------------------------------------------------------------------------------

    def queue(self, *items: Answer | BaseException) -> None:
        self.queued.extend(items)

    def calls_of(self, name: str) -> list[dict[str, Any]]:
        with self._lock:
            return [kw for n, kw in self.calls if n == name]

    def _record(self, name: str, **kw: Any) -> Answer | BaseException | None:
        with self._lock:
            self.calls.append((name, kw))
            return self.queued.popleft() if self.queued and name.startswith("ask") else None

    def _add(self, art: dict[str, Any]) -> int:
        art["chunks"] = _chunks(art["text"])
        self.articles[art["id"]] = art
        return len(art["chunks"])

    # The Newsdesk surface ---------------------------------------------------------------------------

    def ask(self, question: str, *, history: Any = (), k: int | None = None, filters: Any = None) -> Answer:
        item = self._record("ask", question=question, history=list(history), k=k, filters=filters)
        with self._lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            if self.gate is not None:
                self.gate.wait(30)
            time.sleep(self.delay * 5)
            if isinstance(item, BaseException):
                raise item
            return item or self._answer(question, list(history), k or 4, filters)
        finally:
            with self._lock:
                self.active -= 1

    def ask_stream(
        self, question: str, *, history: Any = (), k: int | None = None, filters: Any = None
    ) -> Iterator[Retrieval | str | Answer]:
        item = self._record("ask_stream", question=question, history=list(history), k=k, filters=filters)
        if isinstance(item, BaseException):
            raise item
        answer = item or self._answer(question, list(history), k or 4, filters)
        yield Retrieval(
            question=question,
            standalone_question=answer.standalone_question or question,
            passages=answer.passages,
            seconds=0.01,
        )
        for piece in re.findall(r"\S+\s*", answer.answer):
            time.sleep(self.delay)
            yield piece
        yield answer

    def ingest(self, paths: Sequence[Path | str], *, progress: Any = None) -> IngestReport:
        self._record("ingest", paths=[str(p) for p in paths])
        added, chunks, failed = 0, 0, []
        for i, p in enumerate(paths):
            if progress:
                progress(i, len(paths), Path(p).name)
            try:
                chunks += self._add(parse_article(Path(p)))
                added += 1
            except ArticleError as err:
                failed.append(IngestFailure(path=str(p), reason=str(err)))
        if progress:
            progress(len(paths), len(paths), "done")
        return IngestReport(articles_added=added, chunks_added=chunks, failed=tuple(failed), seconds=0.01)

    def list_articles(self) -> list[dict[str, Any]]:
        return [
            {
                "id": a["id"],
                "title": a["title"],
                "url": a["url"],
                "source": a["source"],
                "published": a["published"].isoformat() if a["published"] else None,
                "chunks": len(a["chunks"]),
            }
            for a in list(self.articles.values())
        ]

    def delete_article(self, article_id: str) -> int:
        self._record("delete_article", article_id=article_id)
        art = self.articles.pop(article_id, None)
        return len(art["chunks"]) if art else 0

    def stats(self) -> dict[str, int]:
        return {
            "articles": len(self.articles),
            "chunks": sum(len(a["chunks"]) for a in self.articles.values()),
        }

    def sources(self) -> list[str]:
        return sorted({a["source"] for a in self.articles.values() if a["source"]})

    def describe(self) -> dict[str, str]:
        return {"generator": "fake-extractive", "embedder": "fake-words", "k": "4", "store": "(memory)"}

    def close(self) -> None:
        pass

    # The fake "model" -------------------------------------------------------------------------------

    def _answer(self, question: str, history: list[tuple[str, str]], k: int, filters: Any) -> Answer:
        standalone = f"{question} (following: {history[-1][0]})" if history else question
        passages = self._retrieve(standalone, k, filters)
        want_number = question.lower().startswith(("how many", "how much"))
        scored = []
        for i, p in enumerate(passages, 1):
            for m in _SENT.finditer(p.text):
                s = m.group(0).strip()
                score = len(_words(s) & _words(standalone)) + (
                    2 if want_number and re.search(r"\d", s) else 0
                )
                scored.append((score, i, m.start() + len(m.group(0)) - len(m.group(0).lstrip()), s))
        best = sorted((x for x in scored if x[0] >= 2), key=lambda x: -x[0])
        if not best:
            return Answer(
                question=question,
                answer="The articles don't say.",
                abstained=True,
                passages=passages,
                standalone_question=standalone,
                model="fake",
            )
        picked = [best[0]] + [b for b in best[1:] if b[1] != best[0][1]][:1]
        text = " ".join(f"{s} [{n}]" for n, (_, _, _, s) in enumerate(picked, 1))
        cites = []
        for n, (_, i, start, s) in enumerate(picked, 1):
            p = passages[i - 1]
            cites.append(
                Citation(
                    number=n,
                    article_id=p.article_id,
                    title=p.title,
                    url=p.url,
                    published=p.published,
                    source=p.source,
                    passage=p.text,
                    start=p.start,
                    end=p.end,
                    chunk_id=p.chunk_id,
                    highlights=((start, start + len(s)),),
                )
            )
        # Renumber passages so cited ones come first, as [1], [2].
        order = [passages[i - 1] for (_, i, _, _) in picked]
        rest = [p for p in passages if p not in order]
        return Answer(
            question=question,
            answer=text,
            abstained=False,
            citations=tuple(cites),
            passages=tuple(order + rest),
            standalone_question=standalone,
            model="fake",
        )

    def _retrieve(self, question: str, k: int, filters: Any) -> tuple[Passage, ...]:
        q = _words(question)
        found = []
        first = filters.date_from if filters else None
        last = filters.latest if filters else None  # date_to or as_of, whichever is earlier
        for a in list(self.articles.values()):
            if filters and filters.sources and a["source"] not in filters.sources:
                continue
            if (first or last) and (
                a["published"] is None
                or (first and a["published"] < first)
                or (last and a["published"] > last)
            ):
                continue
            for idx, (s, e) in enumerate(a["chunks"]):
                text = a["text"][s:e]
                score = len(_words(text) & q) / (1 + len(q))
                found.append(
                    Passage(
                        chunk_id=f"{a['id']}:{idx}",
                        article_id=a["id"],
                        title=a["title"],
                        text=text,
                        start=s,
                        end=e,
                        score=round(score, 3),
                        url=a["url"],
                        published=a["published"],
                        source=a["source"],
                    )
                )
        found.sort(key=lambda p: -p.score)
        return tuple(p for p in found[:k] if p.score > 0)
