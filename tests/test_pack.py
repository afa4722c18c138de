"""The "pack" stage: evidence by size, not by count."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import FakeChatModel, HashEmbeddings

from rag.api import Newsdesk
from rag.settings import Settings
from rag.stages import Query, RetrievalState, StageContext
from rag.stages.pack import PackToBudget
from rag.types import Passage


def passages(*lengths: int) -> list[Passage]:
    return [
        Passage(chunk_id=f"c{i}", article_id=f"a{i}", title=f"t{i}", text="x" * n, start=0, end=n, score=1.0)
        for i, n in enumerate(lengths)
    ]


def pack(settings: Settings, found: list[Passage], k: int = 3) -> list[Passage]:
    context = StageContext(settings=settings, store=None, embedder=None)  # type: ignore[arg-type]
    state = RetrievalState(query=Query(question="q", k=k, fetch_k=30), passages=found)
    return PackToBudget(context).run(state).passages


def test_long_passages_fill_the_budget_at_k(settings: Settings) -> None:
    # Chunks longer than context_chars count as what focus shows of them: k of them, as "cut".
    kept = pack(settings.model_copy(update={"context_chars": 600}), passages(1000, 1000, 900, 800, 700))
    assert [p.chunk_id for p in kept] == ["c0", "c1", "c2"]


def test_short_snippets_share_the_budget_of_k_long_ones(settings: Settings) -> None:
    # 3 × 600 = 1,800 characters: six 300-character snippets fit, a seventh does not.
    kept = pack(settings.model_copy(update={"context_chars": 600}), passages(*[300] * 10))
    assert len(kept) == 6


def test_never_more_than_max_passages_nor_fewer_than_k(settings: Settings) -> None:
    s = settings.model_copy(update={"context_chars": 600, "max_passages": 4})
    assert len(pack(s, passages(*[50] * 20))) == 4
    assert len(pack(s, passages(5000, 5000, 5000, 5000), k=3)) == 3
    assert len(pack(s, passages(100), k=3)) == 1


def test_order_is_kept_and_a_long_one_stops_the_packing(settings: Settings) -> None:
    # Rank order is the evidence order: a long passage that no longer fits ends the list
    # instead of being skipped for a worse short one.
    kept = pack(settings.model_copy(update={"context_chars": 600}), passages(300, 300, 300, 600, 600, 100))
    assert [p.chunk_id for p in kept] == ["c0", "c1", "c2", "c3"]


def test_whole_chunks_keep_exactly_k(settings: Settings) -> None:
    kept = pack(settings.model_copy(update={"context_chars": 0}), passages(*[100] * 10))
    assert len(kept) == 3


@pytest.mark.parametrize("value", [0, -1])
def test_max_passages_below_one_is_refused(settings: Settings, value: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Settings(**{**settings.model_dump(), "max_passages": value})


def test_ask_shows_the_packed_passages(settings: Settings, tmp_path: Path) -> None:
    # Through the public API: short reports are all shown, beyond k.
    folder = tmp_path / "short"
    folder.mkdir()
    for i in range(6):
        (folder / f"r{i}.txt").write_text(
            f"Title: Report {i}\nDate: 2022-01-0{i + 1}\n\nThe harbour reopened after {i + 2} days of storms.\n"
        )
    desk = Newsdesk(settings.model_copy(update={"k": 3}), llm=FakeChatModel(), embedder=HashEmbeddings())
    desk.ingest([folder])
    retrieval = desk.retrieve("When did the harbour reopen after the storms?")
    assert len(retrieval.passages) == 6
    cut = Newsdesk(
        settings.model_copy(
            update={"k": 3, "retrieval_stages": ("dense", "keyword", "fuse", "cut", "focus")}
        ),
        llm=FakeChatModel(),
        embedder=HashEmbeddings(),
    ).retrieve("When did the harbour reopen after the storms?")
    assert len(cut.passages) == 3
