"""Citations are numbered 1…n in the order the answer cites them, whatever the retrieval order."""

from __future__ import annotations

from pathlib import Path

from fakes import FakeChatModel, HashEmbeddings

from rag.api import Newsdesk
from rag.settings import Settings
from rag.types import Passage

TEXTS = [
    "The harbour bridge reopened to traffic on Sunday after eight months of repairs.",
    "Britain already has around 850 troops stationed in Estonia.",
    "The UK has sent 2,000 anti-tank missile launchers to Ukraine.",
]


def _passages() -> list[Passage]:
    return [
        Passage(
            chunk_id=f"c{n}", article_id=f"a{n}", title=f"Report {n}", text=t, start=0, end=len(t), score=1.0
        )
        for n, t in enumerate(TEXTS, start=1)
    ]


def _desk(tmp_path: Path, reply: str) -> Newsdesk:
    return Newsdesk(
        Settings(store=tmp_path / "store"), llm=FakeChatModel(replies=[reply]), embedder=HashEmbeddings()
    )


def test_the_only_passage_cited_is_number_one(tmp_path: Path) -> None:
    # A follow-up's answer cited "[2]" with no "[1]": numbers followed retrieval order.
    answer = _desk(tmp_path, "Around 850 troops are stationed in Estonia [2].").answer_from(
        "How many British troops are stationed in Estonia?", _passages()
    )
    assert answer.answer == "Around 850 troops are stationed in Estonia [1]."
    [citation] = answer.citations
    assert (citation.number, citation.shown, citation.chunk_id) == (1, 2, "c2")
    assert [c.passages for c in answer.claims] == [(1,)]
    # The passages stay in retrieval order: the uncited ones are still there to show.
    assert [p.chunk_id for p in answer.passages] == ["c1", "c2", "c3"]


def test_passages_are_numbered_in_the_order_first_cited(tmp_path: Path) -> None:
    reply = "The UK sent 2,000 anti-tank missile launchers [3]. Around 850 troops are in Estonia [2][3]."
    answer = _desk(tmp_path, reply).answer_from("What has Britain sent or stationed?", _passages())
    assert answer.answer == (
        "The UK sent 2,000 anti-tank missile launchers [1]. Around 850 troops are in Estonia [2][1]."
    )
    assert [(c.number, c.shown) for c in answer.citations] == [(1, 3), (2, 2)]
    assert [c.passages for c in answer.claims] == [(1,), (2, 1)]
