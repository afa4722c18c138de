"""The onnxruntime MiniLM embedder against the sentence-transformers one, on the real bundled model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rag import onnx_embedder
from rag.embeddings import MiniLMEmbeddings
from rag.errors import EmbeddingError
from rag.onnx_embedder import OnnxMiniLMEmbeddings

pytestmark = pytest.mark.models

SENTENCES = [
    "The central bank raised interest rates by three quarters of a point on Wednesday.",
    "Netflix confirmed a second season of Squid Game.",
    "Wildfires forced thousands to evacuate in northern California.",
    "Who won the NBA finals?",
    "Short.",
]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("onnx-cache")


@pytest.fixture(scope="module")
def int8(cache_dir: Path) -> OnnxMiniLMEmbeddings:
    return OnnxMiniLMEmbeddings(cache_dir, quantize=True)


@pytest.fixture(scope="module")
def fp32(cache_dir: Path, int8: OnnxMiniLMEmbeddings) -> OnnxMiniLMEmbeddings:
    int8.embed_query("export first")  # exports fp32 on the way to int8; reused here
    return OnnxMiniLMEmbeddings(cache_dir, quantize=False, batch_size=2)


@pytest.fixture(scope="module")
def torch_vectors() -> np.ndarray:
    return np.asarray(MiniLMEmbeddings().embed_documents(SENTENCES))


def test_vectors_are_384d_unit_norm(int8: OnnxMiniLMEmbeddings) -> None:
    vectors = np.asarray(int8.embed_documents(SENTENCES))
    assert vectors.shape == (len(SENTENCES), 384)
    assert isinstance(int8.embed_documents(SENTENCES[:1])[0][0], float)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize("variant", ["int8", "fp32"])
def test_close_to_sentence_transformers(variant: str, request: pytest.FixtureRequest, torch_vectors) -> None:
    embedder = request.getfixturevalue(variant)
    vectors = np.asarray(embedder.embed_documents(SENTENCES))
    cosines = (vectors * torch_vectors).sum(axis=1)
    assert cosines.min() >= (0.97 if variant == "int8" else 0.9999), cosines


def test_order_survives_length_sorting(fp32: OnnxMiniLMEmbeddings, int8: OnnxMiniLMEmbeddings) -> None:
    # Lengths deliberately out of order, and batch_size=2 so sorting regroups them.
    texts = [SENTENCES[0] * 3, "Hi.", SENTENCES[2], SENTENCES[1] * 5, "A cat.", SENTENCES[3]]
    singles = np.asarray([fp32.embed_query(t) for t in texts])
    batched = np.asarray(fp32.embed_documents(texts))
    np.testing.assert_allclose(batched, singles, atol=1e-4)
    # int8 scales activations per batch, so compare by nearest neighbour, not equality.
    int8_batched = np.asarray(int8.embed_documents(texts))
    assert list((int8_batched @ singles.T).argmax(axis=1)) == list(range(len(texts)))


def test_export_is_cached(cache_dir: Path, int8: OnnxMiniLMEmbeddings, monkeypatch) -> None:
    int8.embed_query("make sure it exists")
    path = int8.model_file()
    assert path.is_file() and path.parent == cache_dir
    mtime = path.stat().st_mtime_ns

    def no_export(*args, **kwargs):
        raise AssertionError("exported again")

    monkeypatch.setattr(onnx_embedder, "_export_fp32", no_export)
    monkeypatch.setattr(onnx_embedder, "_quantize", no_export)
    again = OnnxMiniLMEmbeddings(cache_dir, quantize=True)
    assert again.model_file() == path
    np.testing.assert_allclose(again.embed_query("cached"), int8.embed_query("cached"), atol=1e-6)
    assert path.stat().st_mtime_ns == mtime
    assert not [p for p in cache_dir.iterdir() if p.suffix == ".tmp"]


def test_embed_query_equals_single_document(int8: OnnxMiniLMEmbeddings) -> None:
    query = "What did the Federal Reserve decide?"
    np.testing.assert_allclose(int8.embed_query(query), int8.embed_documents([query])[0], atol=1e-6)


def test_empty_list(int8: OnnxMiniLMEmbeddings) -> None:
    assert int8.embed_documents([]) == []


def test_export_failure_is_an_embedding_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(onnx_embedder, "_model_folder", lambda: tmp_path / "no-such-model")
    embedder = OnnxMiniLMEmbeddings(tmp_path / "cache", quantize=False)
    with pytest.raises(EmbeddingError, match="cannot export"):
        embedder.embed_query("x")
    assert list((tmp_path / "cache").iterdir()) == []
