"""Prompt templates: plain files in ``prompts/`` with named ``{variables}``.

Each template is checked when loaded: a file that lacks a variable the code
fills, or names one it does not, fails loudly instead of producing a prompt
with a hole in it.
"""

from __future__ import annotations

import importlib.util
import string
from functools import lru_cache
from pathlib import Path

from rag.errors import PromptError

EXPECTED: dict[str, frozenset[str]] = {
    "answer_system": frozenset(),
    "answer_user": frozenset({"context", "background", "question"}),
    "answer_user_cued": frozenset({"context", "background", "question"}),
    "background": frozenset({"background"}),
    "passage": frozenset({"number", "title", "published", "text"}),
    "condense": frozenset({"history", "question"}),
    "multiple_choice": frozenset({"context", "question", "options"}),
    "choose": frozenset({"context", "question", "options"}),
    "judge": frozenset({"passages", "question", "answer"}),
    "verify": frozenset(),
}


def variables(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def prompt_folders() -> list[Path]:
    """Where ``prompts/`` lives: a template-only folder, installed as a namespace package."""
    spec = importlib.util.find_spec("prompts")
    if spec is None or not spec.submodule_search_locations:
        raise PromptError("the prompts folder is not installed")
    return [Path(p) for p in spec.submodule_search_locations]


def _read(name: str, folder: Path | None) -> str:
    folders = [folder] if folder is not None else prompt_folders()
    for candidate in folders:
        path = candidate / f"{name}.txt"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise PromptError(f"prompt template {name!r} not found in {', '.join(map(str, folders))}")


@lru_cache(maxsize=64)
def load_prompt(name: str, folder: Path | None = None) -> str:
    """The template text of ``prompts/<name>.txt``, checked against its expected variables."""
    if name not in EXPECTED:
        raise PromptError(f"unknown prompt {name!r}")
    text = _read(name, folder).strip("\n")
    try:
        found = variables(text)
    except ValueError as exc:
        raise PromptError(f"prompt {name!r} is not a valid template: {exc}") from exc
    if found != EXPECTED[name]:
        missing = sorted(EXPECTED[name] - found)
        extra = sorted(found - EXPECTED[name])
        raise PromptError(f"prompt {name!r} has wrong variables (missing {missing}, unexpected {extra})")
    return text


def render(name: str, **values: object) -> str:
    return load_prompt(name).format(**values)
