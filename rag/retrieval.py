"""Retrieval: the stage list from ``Settings``, run for a question; and a LangChain retriever over it.

The stages themselves live in ``rag.stages`` (one file each); this module
decides which run (``settings.retrieval_stages``, less ``keyword`` when
``hybrid`` is off) and turns a run into a ``Retrieval``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.stages import Pipeline, Query, StageContext, build_stages
from rag.types import Filters, Passage

if TYPE_CHECKING:
    from rag.settings import Settings


def stage_names(settings: Settings) -> list[str]:
    names = list(settings.retrieval_stages)
    if not settings.hybrid:
        names = [n for n in names if n != "keyword"]
    return names


def build_pipeline(context: StageContext) -> Pipeline:
    return Pipeline(build_stages(stage_names(context.settings), context))


class NewsdeskRetriever(BaseRetriever):
    """The same stages as ``ask``, as a LangChain retriever: passages become ``Document``s.

    For using newsdesk's retrieval inside other LangChain chains; metadata
    carries the passage's article, offsets, date and score.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    pipeline: Any
    k: int = 5
    fetch_k: int = 30
    filters: Filters | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        state = self.pipeline.run(
            Query(question=query, k=self.k, fetch_k=max(self.fetch_k, self.k), filters=self.filters),
            config={"callbacks": run_manager.get_child()},
        )
        return [to_document(p) for p in state.passages]


def to_document(passage: Passage) -> Document:
    meta = passage.model_dump(mode="json", exclude={"text"})
    return Document(page_content=passage.text, metadata=meta, id=passage.chunk_id)
