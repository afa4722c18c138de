"""News time: a question asked as of a day sees only what was published by then, and says so."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fakes import FakeChatModel, HashEmbeddings

from rag.api import Newsdesk
from rag.settings import Settings
from rag.types import Answer, Filters

Q = "How many British troops are stationed in Estonia?"


def test_articles_after_as_of_are_left_out(desk: Newsdesk, sample_dir: Path) -> None:
    desk.ingest([sample_dir])
    everything = desk.retrieve(Q)
    assert {p.published for p in everything.passages} == {date(2022, 1, 21), date(2022, 1, 26)}
    early = desk.retrieve(Q, filters={"as_of": "2022-01-22"})
    assert early.passages and {p.published for p in early.passages} == {date(2022, 1, 21)}
    assert early.as_of == date(2022, 1, 22)
    # date_to and as_of together: the earlier one wins.
    assert Filters(date_to=date(2022, 1, 30), as_of=date(2022, 1, 22)).latest == date(2022, 1, 22)


def test_the_recency_stage_prefers_the_newer_article(settings: Settings, sample_dir: Path) -> None:
    stages = ("dense", "keyword", "fuse", "recency", "dedupe", "cut", "focus")
    desk = Newsdesk(
        settings.model_copy(update={"retrieval_stages": stages, "recency_weight": 100.0}),
        llm=FakeChatModel(),
        embedder=HashEmbeddings(),
    )
    desk.ingest([sample_dir])
    newest_first = desk.retrieve("Ukraine", filters={"as_of": "2022-01-27"})
    assert "recency" in newest_first.stage_seconds
    assert newest_first.passages[0].published == date(2022, 1, 26)
    oldest_first = desk.retrieve("Ukraine", filters={"as_of": "2022-01-21"})
    assert {p.published for p in oldest_first.passages} == {date(2022, 1, 21)}


def test_an_answer_about_now_says_as_of_when(
    desk: Newsdesk, fake_llm: FakeChatModel, sample_dir: Path
) -> None:
    desk.ingest([sample_dir])
    for question, as_of, says in [
        ("How many British troops are currently stationed in Estonia?", "2022-01-28", True),
        (Q, "2022-01-28", False),
        ("How many British troops are currently stationed in Estonia?", None, False),
    ]:
        events = desk.ask_stream(question, filters={"as_of": as_of} if as_of else None)
        retrieval = next(events)
        n = next(i for i, p in enumerate(retrieval.passages, 1) if "850" in p.text)
        fake_llm.replies.append(f"Around 850 troops [{n}].")
        *_, answer = events
        assert isinstance(answer, Answer) and not answer.abstained
        assert answer.answer.endswith("(as of 28 January 2022)") is says, answer.answer
