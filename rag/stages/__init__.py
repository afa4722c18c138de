"""Retrieval as a list of named stages, built from ``Settings``.

The default list is ``settings.retrieval_stages``::

    dense, keyword  → propose candidates (each a ranked list)
    fuse            → one ranking from all lists (reciprocal rank fusion)
    recency         → prefer articles just before the question's day (as_of, else today)
    dedupe          → drop near-duplicate chunks (the same wire story twice)
    [rerank]        → reorder the survivors (identity stub; off by default)
    pack            → keep the best passages that fit k × context_chars (cut: exactly k)
    focus           → narrow each passage to the sentence window that answers

A stage is an object with a ``name`` and ``run(state) -> state``. To add one,
write a file with a class taking a ``StageContext`` and put its name in
``BUILTIN`` below, or put ``"package.module:Class"`` straight into the
``retrieval_stages`` setting. ``Pipeline`` composes the stages once as
LangChain runnables, so callbacks and tracing see each stage, and records
each stage's seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from rag.components import build_components
from rag.errors import ConfigError
from rag.types import Filters, Passage

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from langchain_core.runnables import RunnableConfig

    from rag.settings import Settings
    from vectorstore import Store


@dataclass(frozen=True)
class Query:
    """What retrieval is asked: the (standalone) question, how many passages, and restrictions."""

    question: str
    k: int
    fetch_k: int
    filters: Filters | None = None


@dataclass(frozen=True)
class RetrievalState:
    """Passed from stage to stage: named candidate lists, the current passages, seconds per stage."""

    query: Query
    candidates: dict[str, list[Passage]] = field(default_factory=dict)
    passages: list[Passage] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    # The question's embedding, once a stage has made it: later stages reuse it.
    vector: Sequence[float] | None = None

    def with_passages(self, passages: Sequence[Passage]) -> RetrievalState:
        return replace(self, passages=list(passages))


@dataclass(frozen=True)
class StageContext:
    """What a stage may use; built once per ``Newsdesk``."""

    settings: Settings
    store: Store
    embedder: Embeddings


class Stage(Protocol):
    name: str

    def run(self, state: RetrievalState) -> RetrievalState: ...


BUILTIN: dict[str, str] = {
    "dense": "rag.stages.candidates:DenseCandidates",
    "keyword": "rag.stages.candidates:KeywordCandidates",
    "fuse": "rag.stages.fuse:ReciprocalRankFusion",
    "recency": "rag.stages.recency:Recency",
    "dedupe": "rag.stages.dedupe:NearDuplicates",
    "rerank": "rag.stages.rerank:IdentityRerank",
    "cut": "rag.stages.cut:CutToK",
    "pack": "rag.stages.pack:PackToBudget",
    "focus": "rag.stages.focus:SentenceWindow",
}


def build_stages(names: Sequence[str], context: StageContext) -> list[Stage]:
    stages: list[Stage] = build_components("retrieval stage", "retrieval_stages", names, BUILTIN, context)
    return stages


class Pipeline:
    """The stages composed once into a LangChain runnable sequence; safe to share between threads."""

    def __init__(self, stages: Sequence[Stage]) -> None:
        from langchain_core.runnables import RunnableLambda

        if not stages:
            raise ConfigError("retrieval_stages is empty: retrieval needs at least one candidate stage")
        self.stages = list(stages)
        runnables = [RunnableLambda(_timed(stage), name=stage.name) for stage in self.stages]
        self._chain: Any = runnables[0]
        for runnable in runnables[1:]:
            self._chain = self._chain | runnable

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.stages]

    def run(self, query: Query, config: RunnableConfig | None = None) -> RetrievalState:
        state: RetrievalState = self._chain.invoke(RetrievalState(query=query), config=config)
        return state


def _timed(stage: Stage) -> Callable[[RetrievalState], RetrievalState]:
    def run(state: RetrievalState) -> RetrievalState:
        started = time.perf_counter()
        result = stage.run(state)
        seconds = dict(result.seconds)
        seconds[stage.name] = seconds.get(stage.name, 0.0) + time.perf_counter() - started
        return replace(result, seconds=seconds)

    return run


__all__ = [
    "BUILTIN",
    "Pipeline",
    "Query",
    "RetrievalState",
    "Stage",
    "StageContext",
    "build_stages",
]
