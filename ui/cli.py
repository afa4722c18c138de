"""``newsdesk ui``: the chat's command, added to the CLI through the ``newsdesk.commands`` entry point."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rag.cli_shared import ModelOpt, StoreOpt, UrlOpt, guarded, settings_from


def ui(
    store: StoreOpt = None,
    chroma_url: UrlOpt = None,
    model: ModelOpt = None,
    host: Annotated[str | None, typer.Option("--host", help="Address to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default 7860).")] = None,
    auth: Annotated[str | None, typer.Option("--auth", help="Require a login, as user:password.")] = None,
    insecure: Annotated[
        bool,
        typer.Option("--insecure", help="Allow a non-loopback --host without --auth (anyone may use it)."),
    ] = False,
    ingest_paths: Annotated[
        list[Path] | None, typer.Option("--ingest", help="Ingest these files or folders first.")
    ] = None,
) -> None:
    """Start the chat in the browser."""

    def run() -> None:
        from ui.app import run_ui

        settings = settings_from(
            store, chroma_url, model, host=host, port=port, auth=auth, insecure=insecure or None
        )
        run_ui(
            settings,
            host=settings.host,
            port=settings.port,
            auth=settings.auth.get_secret_value() if settings.auth else None,
            ingest_paths=list(ingest_paths or []),
        )

    guarded(run)


def register(app: typer.Typer) -> None:
    app.command()(ui)
