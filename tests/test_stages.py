"""Retrieval as named stages: built from settings, extended by a file and a line, timed per stage."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import FakeChatModel, HashEmbeddings
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.documents import Document

from rag.api import Newsdesk
from rag.errors import ConfigError, QuestionError
from rag.settings import Settings
from rag.stages import RetrievalState, StageContext
from rag.types import Answer

LAUNCHERS_Q = "How many anti-tank missile launchers did the UK send to Ukraine?"
DEFAULT = ["dense", "keyword", "fuse", "recency", "dedupe", "pack", "focus"]


class Reverse:
    """A stage from outside the package: reverses the passages (so its effect is visible)."""

    name = "reverse"

    def __init__(self, context: StageContext) -> None:
        self.context = context

    def run(self, state: RetrievalState) -> RetrievalState:
        return state.with_passages(list(reversed(state.passages)))


def desk_with(settings: Settings, sample_dir: Path, **update: object) -> Newsdesk:
    desk = Newsdesk(settings.model_copy(update=update), llm=FakeChatModel(), embedder=HashEmbeddings())
    desk.ingest([sample_dir])
    return desk


def test_default_stages_run_in_order_and_are_timed(settings: Settings, sample_dir: Path) -> None:
    desk = desk_with(settings, sample_dir)
    retrieval = desk.retrieve(LAUNCHERS_Q)
    assert list(retrieval.stage_seconds) == DEFAULT
    assert all(s >= 0 for s in retrieval.stage_seconds.values())
    assert 0 < len(retrieval.passages) <= max(settings.k, settings.max_passages)
    assert (
        sum(len(p.text) for p in retrieval.passages)
        <= max(settings.k, len(retrieval.passages)) * settings.context_chars
    )
    assert "2,000" in retrieval.passages[0].text


def test_the_rerank_slot_is_one_setting_away(settings: Settings, sample_dir: Path) -> None:
    plain = desk_with(settings, sample_dir).retrieve(LAUNCHERS_Q)
    stages = ("dense", "keyword", "fuse", "dedupe", "rerank", "cut", "focus")
    with_rerank = desk_with(settings, sample_dir, retrieval_stages=stages).retrieve(LAUNCHERS_Q)
    assert "rerank" in with_rerank.stage_seconds and "rerank" not in plain.stage_seconds
    assert [p.chunk_id for p in with_rerank.passages] == [p.chunk_id for p in plain.passages]  # identity


def test_a_stage_from_a_module_path_is_used(settings: Settings, sample_dir: Path) -> None:
    plain = desk_with(settings, sample_dir).retrieve(LAUNCHERS_Q)
    stages = ("dense", "keyword", "fuse", "dedupe", "cut", "test_stages:Reverse")
    reversed_ = desk_with(settings, sample_dir, retrieval_stages=stages, context_chars=0).retrieve(
        LAUNCHERS_Q
    )
    assert list(reversed_.stage_seconds)[-1] == "reverse"
    unfocused = desk_with(settings, sample_dir, context_chars=0).retrieve(LAUNCHERS_Q)
    assert [p.chunk_id for p in reversed_.passages] == [p.chunk_id for p in reversed(unfocused.passages)]
    assert plain.passages  # the default still works beside it


def test_hybrid_off_drops_the_keyword_stage(settings: Settings, sample_dir: Path) -> None:
    retrieval = desk_with(settings, sample_dir, hybrid=False).retrieve(LAUNCHERS_Q)
    assert "keyword" not in retrieval.stage_seconds and "dense" in retrieval.stage_seconds


@pytest.mark.parametrize(
    ("stages", "message"),
    [
        (("dense", "nonsense"), "unknown retrieval stage 'nonsense'"),
        (("dense", "no_such_module:Stage"), "cannot load retrieval stage"),
        (("dense", "dense"), "appears twice"),
        ((), "retrieval_stages is empty"),
    ],
)
def test_bad_stage_lists_are_one_clear_error(
    settings: Settings, sample_dir: Path, stages: tuple[str, ...], message: str
) -> None:
    desk = Newsdesk(
        settings.model_copy(update={"retrieval_stages": stages}),
        llm=FakeChatModel(),
        embedder=HashEmbeddings(),
    )
    desk.ingest([sample_dir])
    with pytest.raises(ConfigError, match=message):
        desk.retrieve(LAUNCHERS_Q)


@pytest.mark.parametrize("k", [0, -1, 51, 1000, 2.5, True, "5"])
def test_k_outside_1_to_50_is_refused_everywhere(desk: Newsdesk, sample_dir: Path, k: object) -> None:
    desk.ingest([sample_dir])
    for call in (desk.retrieve, desk.ask):
        with pytest.raises(QuestionError, match="k must be a whole number from 1 to 50"):
            call(LAUNCHERS_Q, k=k)  # type: ignore[operator]
    with pytest.raises(QuestionError):
        desk.as_retriever(k=k)  # type: ignore[arg-type]


def test_k_at_the_bounds_is_accepted(desk: Newsdesk, sample_dir: Path) -> None:
    desk.ingest([sample_dir])
    assert len(desk.retrieve(LAUNCHERS_Q, k=1).passages) == 1
    assert len(desk.retrieve(LAUNCHERS_Q, k=50).passages) <= 50


def test_as_retriever_runs_the_same_stages_and_callbacks_see_each(desk: Newsdesk, sample_dir: Path) -> None:
    desk.ingest([sample_dir])
    seen: list[str] = []

    class Names(BaseCallbackHandler):
        def on_chain_start(self, serialized, inputs, *, name=None, **kwargs):  # type: ignore[no-untyped-def]
            seen.append(name or "")

    docs = desk.as_retriever(k=3).invoke(LAUNCHERS_Q, config={"callbacks": [Names()]})
    assert docs and all(isinstance(d, Document) for d in docs)
    assert [d.id for d in docs] == [p.chunk_id for p in desk.retrieve(LAUNCHERS_Q, k=3).passages]
    assert {"dense", "keyword", "fuse", "dedupe", "pack", "focus"} <= set(seen)
    assert {"article_id", "start", "end", "published"} <= set(docs[0].metadata)


def test_answers_carry_claims_and_prompt_size(
    desk: Newsdesk, fake_llm: FakeChatModel, sample_dir: Path
) -> None:
    desk.ingest([sample_dir])
    events = desk.ask_stream(LAUNCHERS_Q)
    retrieval = next(events)
    n = next(i for i, p in enumerate(retrieval.passages, 1) if "2,000" in p.text)
    wrong = 1 if n != 1 else 2
    fake_llm.replies.append(f"The UK sent 2,000 launchers [{wrong}]. They arrived in January.")
    *_, answer = events
    assert isinstance(answer, Answer) and not answer.abstained
    assert answer.claims[0].passages == (n,) and answer.claims[0].verdict == "repointed"
    assert answer.prompt_chars > len(retrieval.passages[0].text)
    assert answer.timings.ground >= 0 and set(retrieval.stage_seconds) == set(DEFAULT)
