"""``newsdesk doctor``: what a user runs when something is wrong.

Each check is small and independent, says in one line what it found, and on
failure names the command that fixes it. A check that cannot run because an
earlier one failed says so instead of failing for the same reason twice.
"""

from __future__ import annotations

import importlib
import math
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib import metadata

from rag.settings import Settings
from vectorstore import Health

INSTALL_FIX = "bash .ci/install (in the newsdesk folder: the pinned pip, then requirements.lock)"
# Modules whose import has broken on a fresh machine before, or that load native code:
# importing them (not just finding their distribution) is the check that matters.
IMPORTS = (
    "chromadb",
    "gradio",
    "trafilatura",
    "justext",  # imports lxml.html.clean, the module whose move broke fresh installs
    "onnxruntime",
    "tokenizers",
    "xllamacpp",
    "langchain_core",
    "langchain_openai",
    "tantivy",
    "blingfire",
    "markdown_it",
    "pandas",
)


@dataclass(frozen=True)
class Check:
    """One line of the report; ``fix`` is a command or instruction, set when ``ok`` is False."""

    name: str
    ok: bool
    detail: str
    fix: str | None = None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def check_python() -> Check:
    """This interpreter against the project's declared requires-python (one home: pyproject.toml)."""
    from packaging.specifiers import SpecifierSet

    version = ".".join(map(str, sys.version_info[:3]))
    try:
        declared = metadata.metadata("newsdesk")["Requires-Python"] or ">=3.11"
    except metadata.PackageNotFoundError:
        declared = ">=3.11"
    if SpecifierSet(declared).contains(version):
        return Check("python", True, f"Python {version}")
    return Check(
        "python",
        False,
        f"Python {version}; newsdesk needs {declared}",
        "PYTHON=python3.11 bash .ci/install --fresh",
    )


def check_packages() -> Check:
    """Every declared dependency installed at a version the project accepts, and the key ones import."""
    from packaging.requirements import Requirement

    try:
        declared = metadata.requires("newsdesk") or []
    except metadata.PackageNotFoundError:
        return Check("packages", False, "newsdesk itself is not installed in this environment", INSTALL_FIX)
    problems: list[str] = []
    for line in declared:
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue  # an optional extra's requirement
        try:
            installed = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            problems.append(f"{req.name} missing")
            continue
        if req.specifier and not req.specifier.contains(installed, prereleases=True):
            problems.append(f"{req.name} {installed} (needs {req.specifier})")
    for module in IMPORTS:
        try:
            importlib.import_module(module)
        except Exception as exc:  # any import failure is the finding
            problems.append(f"import {module} fails: {type(exc).__name__}: {exc}".splitlines()[0][:200])
    if problems:
        return Check("packages", False, "; ".join(problems), INSTALL_FIX)
    return Check("packages", True, f"{len(declared)} requirements met; {len(IMPORTS)} key modules import")


def check_model(settings: Settings) -> Check:
    """The local GGUF joined from its part packages, with the sha256 it must have."""
    from rag.models import MODELS, ensure_model, verify

    if not settings.is_local_llm:
        return Check("model", True, f"not needed: the LLM is {settings.llm_model} at {settings.llm_base_url}")
    from rag.errors import NewsdeskError

    spec = MODELS[settings.model]
    try:
        path = ensure_model(settings.model, settings.model_cache)
    except NewsdeskError as exc:
        return Check("model", False, str(exc), f"pip install 'newsdesk[{spec.extra}]'")
    if not verify(path, settings.model):
        return Check(
            "model",
            False,
            f"{path} fails its sha256 check",
            f"rm {path} {path.with_suffix('.sha256')} && newsdesk models",
        )
    return Check("model", True, f"{spec.name}: {path} (sha256 {spec.sha256[:12]}… ok)")


def check_embedder(settings: Settings) -> Check:
    """The embedder loads without a network and gives a finite unit vector."""
    from rag.embeddings import embedder_name, make_embedder
    from rag.errors import NewsdeskError

    try:
        embedder = make_embedder(settings)
        vector = embedder.embed_query("Is the embedder working?")
    except NewsdeskError as exc:
        fix = "pip install 'newsdesk[torch]'" if settings.embedder == "minilm-torch" else INSTALL_FIX
        return Check("embedder", False, str(exc), fix)
    except Exception as exc:  # a provider's own error types
        return Check("embedder", False, f"{type(exc).__name__}: {exc}", INSTALL_FIX)
    norm = math.sqrt(sum(x * x for x in vector))
    if not vector or not math.isfinite(norm) or norm == 0:
        return Check("embedder", False, "the embedder returned an empty or invalid vector", INSTALL_FIX)
    return Check("embedder", True, f"{embedder_name(embedder)}: {len(vector)} dimensions")


def check_store(settings: Settings) -> Check:
    """The store opens (folder or server), can be counted, and its index holds every row's vector."""
    from rag.errors import NewsdeskError

    where = settings.chroma_url or str(settings.store)
    try:
        from rag.api import Newsdesk

        desk = Newsdesk(settings)
        stats = desk.stats()
        health = desk.check_store()
    except NewsdeskError as exc:
        fix = (
            "start the server (chroma run --path DIR) or unset NEWSDESK_CHROMA_URL"
            if settings.chroma_url
            else f"check the folder {settings.store} (or choose another with --store)"
        )
        return Check("store", False, str(exc), fix)
    if not health.ok:
        return Check("store", False, f"{where}: {health_line(health)}", "newsdesk repair")
    return Check("store", True, f"{where}: {stats['articles']} articles, {stats['chunks']} chunks")


def health_line(health: Health) -> str:
    """One line on a store's index: all there, or how many rows it lost and the fix."""
    if health.ok:
        return f"index ok: all {health.rows} chunks have their vectors"
    lost = health.rows - health.indexed
    detail = f" ({health.error})" if health.error else ""
    return (
        f"index damaged: {lost} of {health.rows} chunks have no vector{detail}; "
        "run `newsdesk repair` to rebuild it from the stored texts"
    )


def check_llm(settings: Settings) -> Check:
    """The local server starts and answers, or the remote URL answers with the model listed."""
    from rag.errors import NewsdeskError
    from rag.llm import describe_llm_error, make_llm, model_label

    try:
        llm = make_llm(settings, max_tokens=4)
        reply = llm.invoke("Reply with the word OK.")
    except NewsdeskError as exc:
        return Check("llm", False, str(exc), _llm_fix(settings))
    except Exception as exc:  # the client's many error types
        return Check("llm", False, str(describe_llm_error(exc, settings)), _llm_fix(settings))
    text = str(getattr(reply, "content", "")).strip()
    return Check("llm", True, f"{model_label(settings)} answered {text[:20]!r}")


def _llm_fix(settings: Settings) -> str:
    if settings.is_local_llm:
        return "newsdesk models --verify (and bash .ci/install)"
    return (
        f"check that the server at {settings.llm_base_url} is running and serves "
        f"{settings.llm_model!r}, or unset NEWSDESK_LLM_BASE_URL to use the local model"
    )


def run_checks(settings: Settings, *, skip: frozenset[str] = frozenset()) -> list[Check]:
    """All checks in order; a check whose prerequisite failed is reported as not run."""
    steps: list[tuple[str, Callable[[], Check], tuple[str, ...]]] = [
        ("python", check_python, ()),
        ("packages", check_packages, ()),
        ("model", lambda: check_model(settings), ("packages",)),
        ("embedder", lambda: check_embedder(settings), ("packages",)),
        ("store", lambda: check_store(settings), ("packages",)),
        ("llm", lambda: check_llm(settings), ("packages", "model")),
    ]
    results: dict[str, Check] = {}
    for name, run, needs in steps:
        if name in skip:
            continue
        failed = [n for n in needs if n in results and not results[n].ok]
        if failed:
            results[name] = Check(
                name, False, f"not checked: {', '.join(failed)} failed first", results[failed[0]].fix
            )
            continue
        results[name] = run()
    return list(results.values())
