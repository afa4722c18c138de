"""Every module of the four packages imports on this installation.

This is what a fresh machine with a missing install step fails first (an
undeclared dependency only shows when its importer loads), so it runs early
in CI and names the module that breaks.
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("rag", "vectorstore", "ui", "eval")


def all_modules() -> list[str]:
    names = []
    for package in PACKAGES:
        names.append(package)
        for info in pkgutil.walk_packages([str(ROOT / package)], prefix=f"{package}."):
            names.append(info.name)
    return sorted(names)


def test_the_walk_finds_the_modules() -> None:
    names = all_modules()
    assert {"rag.api", "rag.articles.html", "vectorstore.chroma", "ui.app", "eval.bench"} <= set(names)


@pytest.mark.parametrize("name", all_modules())
def test_module_imports(name: str) -> None:
    importlib.import_module(name)


def test_cli_help_loads_no_heavy_dependency() -> None:
    """`newsdesk --help` must stay fast: no parser, store, model or UI library behind it."""
    code = (
        "import sys; from rag.cli import app; "
        "heavy = [m for m in ('trafilatura', 'chromadb', 'gradio', 'onnxruntime', 'langchain_openai', "
        "'xllamacpp', 'pandas', 'matplotlib') if m in sys.modules]; print(','.join(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.strip() == ""
