"""The pipelines ``newsdesk eval`` can measure, by name, each over its own store.

``ours`` is ``rag.api.Newsdesk`` (through ``runner.make_desk``); ``tutorial`` is
the LangChain tutorial pipeline (``eval.tutorial.TutorialDesk``) with the same
embedder and the same model. Tests replace the factories with fakes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from eval.bench.baseline import BASELINE_K
from rag.errors import ConfigError

if TYPE_CHECKING:
    from eval.tutorial import TutorialDesk
    from rag.settings import Settings

NAMES = ("ours", "tutorial")


def parse(text: str) -> list[str]:
    """``ours,tutorial`` → ``["ours", "tutorial"]``: known names, each once, in the order given."""
    names = list(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in NAMES]
    if unknown or not names:
        raise ConfigError(f"--pipelines takes {' and/or '.join(NAMES)}, comma-separated, not {text!r}")
    return names


# What the tutorial pipeline reads of the settings: its model, its embedder and k. Only these are
# recorded for its runs, so a change to newsdesk's own reader or retrieval leaves its answers resumable.
TUTORIAL_SETTINGS = frozenset(
    "model llm_base_url llm_model temperature max_tokens llm_context llm_cache_prompt "
    "embedder embedding_model embed_batch_size embed_max_length embed_quantize".split()
)


def recorded_settings(name: str, settings: dict[str, Any]) -> dict[str, Any]:
    """The settings that decide pipeline ``name``'s answers (all of them for ours).

    The tutorial's k is its own top-5 (``BASELINE_K``), not newsdesk's ``k``.
    """
    if name == "ours":
        return settings
    return {k: v for k, v in settings.items() if k in TUTORIAL_SETTINGS} | {"k": BASELINE_K}


def make_tutorial(settings: Settings, store: Path) -> TutorialDesk:
    from eval.tutorial import TutorialDesk

    return TutorialDesk(settings, store)


def make(name: str, settings: Settings, tutorial_store: Path) -> Any:
    """The desk of pipeline ``name``: ours on ``settings.store``, the tutorial on ``tutorial_store``."""
    from eval import runner

    if name == "ours":
        return runner.make_desk(settings)
    return make_tutorial(settings, tutorial_store)
