"""What every ``newsdesk`` command shares: the core ones (``rag.cli``) and those other layers add.

The two consoles (answers on stdout, errors and progress on stderr), the common
options, settings from those options, ``guarded`` (a ``NewsdeskError`` becomes
one line and exit code 1) and the progress bar over chunks. Imports only typer
and rich, so ``newsdesk --help`` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from rag.errors import NewsdeskError

if TYPE_CHECKING:
    from rag.settings import Settings

out = Console()
err = Console(stderr=True)
T = TypeVar("T")

StoreOpt = Annotated[Path | None, typer.Option("--store", help="Store folder (default .newsdesk/store).")]
UrlOpt = Annotated[str | None, typer.Option("--chroma-url", help="Use a Chroma server instead of a folder.")]
ModelOpt = Annotated[
    str | None, typer.Option("--model", help="Local generator: 'default' (1.5B) or 'small' (0.5B).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def settings_from(
    store: Path | None = None, chroma_url: str | None = None, model: str | None = None, **extra: Any
) -> Settings:
    from rag.settings import load_settings

    return load_settings(store=store, chroma_url=chroma_url, model=model, **extra)


def guarded(fn: Callable[[], T]) -> T:
    """Runs ``fn``; a ``NewsdeskError`` becomes one line on stderr and exit code 1."""
    try:
        return fn()
    except NewsdeskError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        err.print("interrupted")
        raise typer.Exit(130) from None


def chunk_bar(doing: str, *, quiet: bool) -> Any:
    """A progress bar over chunks on stderr, shown only on a terminal and never with --json."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn(doing),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("chunks"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=quiet or not err.is_terminal,
    )
