"""Named, swappable parts of the question path: one loader for retrieval stages and answer steps.

A part is named in settings either by a built-in short name or as ``"package.module:Class"``;
the class is looked up here, so both lists (``retrieval_stages``, ``reader``/``answer_checks``)
load and fail the same way.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import Any

from rag.errors import ConfigError


def load_component(kind: str, name: str, builtin: Mapping[str, str]) -> Any:
    """The class for ``name``: a key of ``builtin`` (whose value is ``module:Class``) or a path."""
    target = builtin.get(name, name)
    module_name, sep, attr = target.partition(":")
    if not sep:
        raise ConfigError(f"unknown {kind} {name!r}: use one of {', '.join(builtin)} or 'module:Class'")
    try:
        return getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"cannot load {kind} {name!r} ({target}): {exc}") from exc


def build_components(
    kind: str, setting: str, names: Sequence[str], builtin: Mapping[str, str], context: Any
) -> list[Any]:
    """Each named part built with ``context``, in order; a name given twice is a ``ConfigError``."""
    parts = [load_component(kind, name, builtin)(context) for name in names]
    seen: set[str] = set()
    for part in parts:
        if part.name in seen:
            raise ConfigError(f"{kind} {part.name!r} appears twice in {setting}")
        seen.add(part.name)
    return parts
