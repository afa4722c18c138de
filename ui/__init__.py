"""The web UI of newsdesk: a Gradio app over a ``Newsdesk`` (see ``ui.app``)."""

from ui.app import build_app, launch, run_ui

__all__ = ["build_app", "launch", "run_ui"]
