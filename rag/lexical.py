"""A BM25 keyword index over the store's chunks, for hybrid retrieval.

Dense vectors miss exact names and numbers that news questions hinge on;
BM25 catches them. The index lives in memory, is built from the store on
first use and rebuilt when the store's content changes.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import bm25s
import numpy as np

from rag.chunkmeta import embed_text

if TYPE_CHECKING:
    from vectorstore import Store

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets DEBUG on import

_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")


def _prepare(text: str) -> str:
    # "2,000" and "2000" must match; bm25s would otherwise split on the comma.
    return _THOUSANDS.sub("", text)


def _tokenize(texts: Sequence[str]) -> Any:
    return bm25s.tokenize([_prepare(t) for t in texts], stopwords="en", show_progress=False)


class LexicalIndex:
    """BM25 over ``texts``; ``search`` returns ``(position, score)`` best first."""

    def __init__(self, ids: Sequence[str], texts: Sequence[str], metadatas: Sequence[dict[str, Any]]):
        self.ids = list(ids)
        self.metadatas = list(metadatas)
        self._bm25: bm25s.BM25 | None = None
        if self.ids:
            self._bm25 = bm25s.BM25()
            self._bm25.index(_tokenize(texts), show_progress=False)

    def __len__(self) -> int:
        return len(self.ids)

    def search(
        self, query: str, k: int, keep: Callable[[dict[str, Any]], bool] | None = None
    ) -> list[tuple[int, float]]:
        if self._bm25 is None or k < 1:
            return []
        tokens = _tokenize([query])
        if not tokens.vocab:
            return []
        mask = None
        if keep is not None:
            mask = np.fromiter((keep(m) for m in self.metadatas), dtype=bool, count=len(self.metadatas))
            if not mask.any():
                return []
            mask = mask.astype(np.float32)
        k = min(k, len(self.ids))
        try:
            docs, scores = self._bm25.retrieve(tokens, k=k, show_progress=False, weight_mask=mask)
        except ValueError:
            return []
        return [(int(d), float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]


class LexicalCache:
    """The BM25 index of one store, built on first use and rebuilt when the store's size changes."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._index: LexicalIndex | None = None
        self._count = -1
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        with self._lock:
            self._index = None
            self._count = -1

    def index(self) -> LexicalIndex:
        count = self.store.count()
        with self._lock:
            if self._index is None or self._count != count:
                ids, texts, metas = [], [], []
                for rec in self.store.scan(texts=True):
                    ids.append(rec.id)
                    texts.append(embed_text(str(rec.metadata.get("title", "")), rec.text))
                    metas.append(rec.metadata)
                self._index = LexicalIndex(ids, texts, metas)
                self._count = count
            return self._index
