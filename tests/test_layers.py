"""The layer contract (pyproject.toml, import-linter): it holds, and a back edge breaks it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT = str(Path(sys.executable).with_name("lint-imports"))


def lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LINT, "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tree), "PATH": ""},
    )


def copy_tree(tmp_path: Path) -> Path:
    for name in ("rag", "vectorstore", "ui", "eval", "prompts"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "runs"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_layers_hold() -> None:
    done = lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_rag_importing_ui_breaks_the_build(tmp_path: Path) -> None:
    tree = copy_tree(tmp_path)
    settings = tree / "rag" / "settings.py"
    settings.write_text(settings.read_text() + "\nimport ui.format  # a back edge\n")
    done = lint(tree)
    assert done.returncode != 0 and "BROKEN" in done.stdout, done.stdout + done.stderr
    assert "rag.settings -> ui.format" in done.stdout


def test_ui_talking_to_chromadb_breaks_the_build(tmp_path: Path) -> None:
    tree = copy_tree(tmp_path)
    fmt = tree / "ui" / "format.py"
    fmt.write_text(fmt.read_text() + "\nimport chromadb  # around the store layer\n")
    done = lint(tree)
    assert done.returncode != 0 and "Only vectorstore talks to chromadb BROKEN" in done.stdout, done.stdout


def test_ui_importing_vectorstore_breaks_the_build(tmp_path: Path) -> None:
    # rag turns the store's errors into its own (StoreBusyError, StoreError), so ui never needs vectorstore.
    tree = copy_tree(tmp_path)
    handlers = tree / "ui" / "handlers.py"
    handlers.write_text(handlers.read_text() + "\nfrom vectorstore import StoreBusy  # around rag\n")
    done = lint(tree)
    assert done.returncode != 0 and "ui sees the store only through rag BROKEN" in done.stdout, done.stdout
