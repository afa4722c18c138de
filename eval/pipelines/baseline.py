"""The LangChain RAG tutorial pipeline, kept exactly as the tutorial has it: the yardstick.

``RecursiveCharacterTextSplitter(1000, 200)`` on each article's text,
``langchain_chroma.Chroma.add_texts`` in batches with url/title metadata,
``similarity_search(k)``, and the stuffed prompt ``BASELINE_PROMPT`` streamed
through whatever chat model it is given. Any change here moves every ratio the
benchmark reports, so it changes only on purpose.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models import BaseChatModel
    from langchain_core.runnables import Runnable

    from rag.types import Article

BASELINE_COLLECTION = "langchain"  # langchain_chroma's default name
BASELINE_CHUNK_SIZE = 1000
BASELINE_CHUNK_OVERLAP = 200
BASELINE_BATCH = 256  # ours flushes every max(embed_batch * 4, 128) = 128 chunks by default
# The tutorial's top-k: the yardstick stays top-5 whatever newsdesk's own ``k`` is.
BASELINE_K = 5
BASELINE_PROMPT = "Answer the question using the context.\n\nContext:\n{context}\n\nQuestion: {question}"


def describe(k: int) -> dict[str, Any]:
    """What the baseline is, for the results file: enough to rebuild it by hand."""
    return {
        "splitter": f"RecursiveCharacterTextSplitter(chunk_size={BASELINE_CHUNK_SIZE}, "
        f"chunk_overlap={BASELINE_CHUNK_OVERLAP})",
        "store": f"langchain_chroma.Chroma (collection {BASELINE_COLLECTION!r}, default l2 distance)",
        "add_batch": BASELINE_BATCH,
        "k": k,
        "prompt": BASELINE_PROMPT,
    }


def baseline_chunks(articles: Sequence[Article]) -> tuple[list[str], list[dict[str, str]]]:
    """The tutorial's chunks of every article's text, with url/title metadata."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=BASELINE_CHUNK_SIZE, chunk_overlap=BASELINE_CHUNK_OVERLAP
    )
    texts: list[str] = []
    metas: list[dict[str, str]] = []
    for article in articles:
        for piece in splitter.split_text(article.text):
            texts.append(piece)
            metas.append({"url": article.url or "", "title": article.title})
    return texts, metas


class TutorialPipeline:
    """The tutorial over one store folder: ``ingest``, ``retrieve``, ``stream``.

    ``embedder`` may be ``None`` when only the raw ``collection`` is used (writing
    precomputed vectors); ``llm`` is needed only by ``stream``. After each
    ``stream`` call, ``last_prompt_chars`` holds the characters of the messages
    sent to the model (``None`` if none were sent).
    """

    def __init__(
        self, store_path: Path, embedder: Embeddings | None, llm: BaseChatModel | None = None, k: int = 4
    ) -> None:
        # The client comes from ``vectorstore``, the only place allowed to import chromadb
        # (``open_client`` is what ``ChromaStore.client`` is made with).
        from langchain_chroma import Chroma

        from vectorstore import open_client

        self.k = k
        self.llm = llm
        self.store = Chroma(
            client=open_client(path=Path(store_path)),
            collection_name=BASELINE_COLLECTION,
            embedding_function=embedder,
        )
        self.last_prompt_chars: int | None = None
        self._chain: Runnable[str, str] | None = None

    @property
    def collection(self) -> Any:
        """The underlying Chroma collection (for counts and precomputed-vector writes)."""
        return self.store._collection

    def count(self) -> int:
        return int(self.collection.count())

    def ingest(self, articles: Sequence[Article], batch: int = BASELINE_BATCH) -> int:
        """Splits every article and adds the chunks in batches; returns how many chunks were added."""
        texts, metas = baseline_chunks(articles)
        for i in range(0, len(texts), batch):
            self.store.add_texts(texts[i : i + batch], metadatas=metas[i : i + batch])
        return len(texts)

    def retrieve(self, question: str) -> list[tuple[str, dict[str, Any]]]:
        """The ``k`` nearest chunks as ``(text, metadata)``, nearest first."""
        return [(d.page_content, dict(d.metadata)) for d in self.store.similarity_search(question, k=self.k)]

    def stream(self, question: str) -> Iterator[str]:
        """The answer's text as the model streams it."""
        self.last_prompt_chars = None
        yield from self.chain().stream(question)

    def chain(self) -> Runnable[str, str]:
        """retriever | join → stuffed prompt → llm → text; a pass-through after the prompt
        records the characters of the messages sent."""
        if self._chain is not None:
            return self._chain
        if self.llm is None:
            raise ValueError("TutorialPipeline needs an llm to answer")
        from langchain_core.output_parsers import StrOutputParser
        from langchain_core.prompts import ChatPromptTemplate
        from langchain_core.runnables import RunnableLambda, RunnablePassthrough

        def format_docs(docs: Sequence[Any]) -> str:
            return "\n\n".join(d.page_content for d in docs)

        def record(value: Any) -> Any:
            self.last_prompt_chars = sum(len(str(m.content)) for m in value.to_messages())
            return value

        prompt = ChatPromptTemplate.from_template(BASELINE_PROMPT)
        retriever = self.store.as_retriever(search_kwargs={"k": self.k})
        self._chain = (
            {"context": retriever | format_docs, "question": RunnablePassthrough()}
            | prompt
            | RunnableLambda(record)
            | self.llm
            | StrOutputParser()
        )
        return self._chain
