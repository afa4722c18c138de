"""The web UI of newsdesk: a Gradio app over a ``Newsdesk`` (see ``ui.app``).

Gradio loads only when the app is built, so ``newsdesk --help`` stays fast.
"""

from __future__ import annotations

from typing import Any

__all__ = ["build_app", "launch", "run_ui"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from ui import app

        return getattr(app, name)
    raise AttributeError(f"module 'ui' has no attribute {name!r}")
