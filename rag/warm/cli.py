"""``newsdesk serve`` (start, ``--detach``, ``--status``, ``--stop``) and whether ``ask`` uses the server.

Registered by ``rag.cli``; imports only typer here, the server's modules when a command runs.
No ``from __future__ import annotations``: typer reads ``serve``'s options, defined inside
``register``, from its evaluated signature.
"""

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rag.settings import Settings
    from rag.warm.state import State


def uses_warm(settings: "Settings", flag: bool | None) -> bool:
    """``--warm``/``--no-warm`` if given, else the ``warm`` setting; with the local model only.

    A remote LLM has no model to keep loaded here, so its calls always run in the calling process.
    """
    import socket

    wanted = settings.warm if flag is None else flag
    return wanted and settings.is_local_llm and hasattr(socket, "AF_UNIX")


def _line(info: dict[str, Any]) -> str:
    stops = info.get("stops_in")
    when = "never stops on idle" if stops is None else f"stops after {stops:g} s more idle"
    answered = info.get("answered")
    return (
        f"pid {info['pid']}: model {info['model']}, store {info['store']}"
        + (f", {answered} answered" if answered is not None else "")
        + f", {when}"
    )


def register(app: typer.Typer) -> None:
    """Adds ``serve`` to the ``newsdesk`` app."""
    from rag.cli_shared import ModelOpt, StoreOpt, UrlOpt, err, guarded, out, settings_from

    @app.command()
    def serve(
        store: StoreOpt = None,
        chroma_url: UrlOpt = None,
        model: ModelOpt = None,
        detach: Annotated[
            bool, typer.Option("--detach", help="Start in the background; return when it is ready.")
        ] = False,
        show: Annotated[bool, typer.Option("--status", help="Show this user's warm servers.")] = False,
        halt: Annotated[bool, typer.Option("--stop", help="Stop the server for these settings.")] = False,
        every: Annotated[bool, typer.Option("--all", help="With --stop: stop every one of yours.")] = False,
        idle: Annotated[
            float | None,
            typer.Option("--idle", min=0, help="Stop after this many seconds without a question (0: never)."),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
    ) -> None:
        """Keep the desk (store, embedder, model) loaded for `newsdesk ask`; it stops when idle."""
        from rag.warm import client

        def show_status(settings: "Settings") -> None:
            servers = client.status(settings)
            if as_json:
                print(json.dumps({"servers": servers}, indent=2))
            elif not servers:
                out.print("no warm server is running")
            for info in [] if as_json else servers:
                mark = "*" if info["current"] else " "
                out.print(f"{mark} {_line(info)}", highlight=False, markup=False, soft_wrap=True)
            if not any(info["current"] for info in servers):
                raise typer.Exit(1)

        def run() -> None:
            settings = settings_from(store, chroma_url, model)
            if show:
                show_status(settings)
            elif halt:
                stopped = client.stop(settings, every=every)
                if as_json:
                    print(json.dumps({"stopped": [s.pid for s in stopped]}))
                else:
                    out.print(", ".join(f"stopped pid {s.pid}" for s in stopped) or "no warm server to stop")
            elif detach:
                began = time.perf_counter()
                state, started = client.start(settings, idle=idle)
                _ready(state, started, time.perf_counter() - began)
            else:
                foreground(settings)

        def foreground(settings: "Settings") -> None:
            from rag.api import Newsdesk
            from rag.warm.server import run as serve_until_stopped

            began = time.perf_counter()
            why = serve_until_stopped(
                settings,
                Newsdesk,
                idle=settings.warm_idle if idle is None else idle,
                ready=lambda state: _ready(state, True, time.perf_counter() - began),
            )
            err.print(f"stopped: {why}", highlight=False)

        def _ready(state: "State", started: bool, seconds: float) -> None:
            if as_json:
                print(json.dumps({**state.public(), "launched": started, "seconds": round(seconds, 2)}))
                return
            how = f"ready in {seconds:.1f} s" if started else "already running"
            stops = f"stops after {state.idle:g} s idle" if state.idle > 0 else "never stops on idle"
            out.print(
                f"warm server pid {state.pid} {how} ({stops}); socket {Path(state.socket)}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )

        guarded(run)
