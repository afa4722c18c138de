"""The pipelines ``newsdesk eval`` can measure, by name, each over its own store.

``ours`` is ``rag.api.Newsdesk`` (through ``runner.make_desk``); ``tutorial`` is
the LangChain tutorial pipeline (``eval.pipelines.tutorial.TutorialDesk`` over
``eval.pipelines.baseline``) with the same embedder and the same model. Tests
replace the factories (``runner.make_desk``, ``make_tutorial``) with fakes, so
the registry looks them up when a desk is made.

Adding a pipeline is one ``Pipeline`` in ``PIPELINES``: every command that
takes ``--pipelines`` then runs it through the same loop (``eval.runs``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eval.pipelines.baseline import BASELINE_K
from rag.errors import ConfigError

if TYPE_CHECKING:
    from eval.pipelines.tutorial import TutorialDesk
    from rag.settings import Settings


@dataclass(frozen=True)
class Pipeline:
    """One pipeline: how to make its desk and which settings decide its answers (for resume)."""

    name: str
    make: Callable[[Settings, Path], Any]  # (settings, the store it owns when not settings.store)
    recorded: Callable[[dict[str, Any]], dict[str, Any]]


# What the tutorial pipeline reads of the settings: its model, its embedder and k. Only these are
# recorded for its runs, so a change to newsdesk's own reader or retrieval leaves its answers resumable.
TUTORIAL_SETTINGS = frozenset(
    "model llm_base_url llm_model temperature max_tokens llm_context llm_cache_prompt "
    "embedder embedding_model embed_batch_size embed_max_length embed_quantize".split()
)


def _tutorial_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """The tutorial's k is its own top-5 (``BASELINE_K``), not newsdesk's ``k``."""
    return {k: v for k, v in settings.items() if k in TUTORIAL_SETTINGS} | {"k": BASELINE_K}


def _make_ours(settings: Settings, store: Path) -> Any:
    from eval import runner

    return runner.make_desk(settings)


def make_tutorial(settings: Settings, store: Path) -> TutorialDesk:
    from eval.pipelines.tutorial import TutorialDesk

    return TutorialDesk(settings, store)


PIPELINES: dict[str, Pipeline] = {
    p.name: p
    for p in (
        Pipeline("ours", _make_ours, dict),
        Pipeline("tutorial", lambda settings, store: make_tutorial(settings, store), _tutorial_settings),
    )
}
NAMES = tuple(PIPELINES)


def parse(text: str) -> list[str]:
    """``ours,tutorial`` → ``["ours", "tutorial"]``: known names, each once, in the order given."""
    names = list(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in PIPELINES]
    if unknown or not names:
        raise ConfigError(f"--pipelines takes {' and/or '.join(NAMES)}, comma-separated, not {text!r}")
    return names


def recorded_settings(name: str, settings: dict[str, Any]) -> dict[str, Any]:
    """The settings that decide pipeline ``name``'s answers (all of them for ours)."""
    return PIPELINES[name].recorded(settings)


def make(name: str, settings: Settings, tutorial_store: Path) -> Any:
    """The desk of pipeline ``name``: ours on ``settings.store``, the tutorial on ``tutorial_store``."""
    return PIPELINES[name].make(settings, tutorial_store)
