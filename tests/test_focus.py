"""Stage "focus": each long passage narrowed to its best window of sentences, short ones kept whole."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from fakes import FakeChatModel, HashEmbeddings

from rag.api import Newsdesk
from rag.settings import Settings
from rag.stages.focus import SentenceWindow
from rag.types import Passage


class Counting(HashEmbeddings):
    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded += texts
        return super().embed_documents(texts)


def _passage(n: int, text: str) -> Passage:
    return Passage(
        chunk_id=f"c{n}", article_id=f"a{n}", title="t", text=text, start=0, end=len(text), score=1.0
    )


SHORT = "The UK sent 2,000 launchers. Talks went on."
LONG = " ".join(f"Filler sentence number {i} about the weather." for i in range(20)) + (
    " The UK sent 2,000 anti-tank launchers to Ukraine. "
    + " ".join(f"More filler {i} here." for i in range(10))
)


def _focus(embedder: Counting, passages: list[Passage], max_chars: int = 200) -> list[Passage]:
    context = SimpleNamespace(embedder=embedder, settings=SimpleNamespace(context_chars=max_chars))
    return SentenceWindow(context).focus("How many launchers did the UK send?", passages)  # type: ignore[arg-type]


def test_only_the_sentences_of_passages_to_narrow_are_embedded() -> None:
    embedder = Counting()
    short, long = _passage(1, SHORT), _passage(2, LONG)
    out = _focus(embedder, [short, long])
    assert out[0] == short  # fits: kept whole, its sentences never embedded
    assert not any(s in SHORT for s in embedder.embedded)
    assert embedder.embedded and all(s in LONG for s in embedder.embedded)
    assert "2,000 anti-tank launchers" in out[1].text and len(out[1].text) <= 200
    assert LONG[out[1].start : out[1].end] == out[1].text  # offsets stay exact


def test_passages_that_all_fit_cost_no_embedding() -> None:
    embedder = Counting()
    assert _focus(embedder, [_passage(1, SHORT)]) == [_passage(1, SHORT)]
    assert embedder.embedded == []


def test_the_question_is_embedded_once_on_the_question_path(
    settings: Settings, fake_llm: FakeChatModel, sample_dir: Path
) -> None:
    """The dense stage embeds the question; ``focus`` reuses that vector rather than embed it again."""
    queries: list[str] = []

    class Queries(Counting):
        def embed_query(self, text: str) -> list[float]:
            queries.append(text)
            return super().embed_query(text)

    embedder = Queries()
    desk = Newsdesk(settings.model_copy(update={"context_chars": 200}), llm=fake_llm, embedder=embedder)
    try:
        desk.ingest(sample_dir)
        embedder.embedded.clear()
        got = desk.retrieve("How many anti-tank launchers did the UK send?")
    finally:
        desk.close()
    assert queries == ["How many anti-tank launchers did the UK send?"]
    assert embedder.embedded  # focus narrowed passages (it embedded their sentences)
    assert got.passages
