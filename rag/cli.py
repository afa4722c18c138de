"""The ``newsdesk`` command line: ingest, ask, stats, models, doctor.

Other layers add their own commands (``ui``, ``eval``, ``bench``) through the
``newsdesk.commands`` entry points, so this module never imports them. Every
command prints one clear line on a ``NewsdeskError`` and exits 1; a stack
trace is never shown for a failure the user can fix. What the commands share
(options, consoles, ``guarded``) is in ``rag.cli_shared``.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from rag.cli_shared import (
    JsonOpt,
    ModelOpt,
    StoreOpt,
    UrlOpt,
    chunk_bar,
    err,
    guarded,
    out,
    settings_from,
)

if TYPE_CHECKING:
    from rag.settings import Settings

COMMANDS_GROUP = "newsdesk.commands"

app = typer.Typer(
    name="newsdesk",
    help="Ask questions about news articles and get answers that cite their passages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _desk(settings: Settings) -> Any:
    from rag.api import Newsdesk

    return Newsdesk(settings)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (read recursively).")],
    store: StoreOpt = None,
    chroma_url: UrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Read articles (txt, json, jsonl, csv, html, md, pdf) into the store."""
    from rag.ingest import summary

    def run() -> None:
        desk = _desk(settings_from(store, chroma_url))
        with chunk_bar("embedding", quiet=as_json) as bar:
            task = bar.add_task("ingest", total=None)

            def progress(done: int, total: int, _name: str) -> None:
                bar.update(task, completed=done, total=total)

            report = desk.ingest(paths, progress=progress)
        if as_json:
            print(json.dumps(summary(report), indent=2))
            return
        out.print(
            f"{report.articles_added} added, {report.articles_updated} updated, "
            f"{report.articles_unchanged} unchanged; {report.chunks_added} chunks written "
            f"in {report.seconds:.1f}s"
        )
        for note in report.warnings:
            err.print(
                f"[yellow]note[/] {escape(note.path)}: {escape(note.reason)}", highlight=False, soft_wrap=True
            )
        for failure in report.failed:
            err.print(
                f"[yellow]skipped[/] {escape(failure.path)}: {escape(failure.reason)}",
                highlight=False,
                soft_wrap=True,
            )

    guarded(run)


@app.command()
def stats(
    store: StoreOpt = None,
    chroma_url: UrlOpt = None,
    as_json: JsonOpt = False,
    check: Annotated[
        bool, typer.Option("--check", help="Also read every chunk's vector back from the index.")
    ] = False,
) -> None:
    """How many articles and chunks the store holds; with --check, whether its index holds them all."""

    def run() -> None:
        desk = _desk(settings_from(store, chroma_url))
        numbers: dict[str, Any] = dict(desk.stats())
        from rag.doctor import health_line

        health = desk.check_store() if check else None
        if health is not None:
            numbers["indexed"] = health.indexed
            numbers["ok"] = health.ok
        if as_json:
            print(json.dumps(numbers))
        else:
            out.print(f"{numbers['articles']} articles, {numbers['chunks']} chunks")
            if health is not None:
                out.print(escape(health_line(health)), highlight=False)
        if health is not None and not health.ok:
            raise typer.Exit(1)

    guarded(run)


@app.command()
def repair(store: StoreOpt = None, chroma_url: UrlOpt = None, as_json: JsonOpt = False) -> None:
    """Rebuild the store's vector index from the texts it holds (after a crash or a damaged index)."""

    def run() -> None:
        from rag.errors import StoreError

        desk = _desk(settings_from(store, chroma_url))
        try:
            indexed_before: int | None = desk.check_store().indexed
        except StoreError:  # an index too damaged to open: exactly what this rebuilds
            indexed_before = None
        with chunk_bar("re-embedding", quiet=as_json) as bar:
            task = bar.add_task("repair", total=None)
            written = desk.repair(progress=lambda done, total: bar.update(task, completed=done, total=total))
        after = desk.check_store()
        if as_json:
            print(
                json.dumps(
                    {
                        "chunks": written,
                        "indexed_before": indexed_before,
                        "indexed": after.indexed,
                        "ok": after.ok,
                    }
                )
            )
        else:
            had = (
                "the old index could not be read"
                if indexed_before is None
                else f"{indexed_before} had vectors"
            )
            out.print(f"rebuilt the index: {written} chunks ({had}; {after.indexed} have now)")
        if not after.ok:
            raise typer.Exit(1)

    guarded(run)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question.")],
    store: StoreOpt = None,
    chroma_url: UrlOpt = None,
    model: ModelOpt = None,
    k: Annotated[int | None, typer.Option("--k", min=1, help="Passages to retrieve.")] = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="Only articles from this date (YYYY-MM-DD).")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Only articles up to this date (YYYY-MM-DD).")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Ask as of this day (YYYY-MM-DD): later articles are left out."),
    ] = None,
    source: Annotated[
        list[str] | None, typer.Option("--source", help="Only this source (repeatable).")
    ] = None,
    as_json: JsonOpt = False,
    warm: Annotated[
        bool | None,
        typer.Option(
            "--warm/--no-warm",
            help="Ask the warm server (`newsdesk serve`), starting one if none runs; "
            "default: the `warm` setting, with the local model only.",
        ),
    ] = None,
) -> None:
    """Answer a question from the stored articles, with citations."""
    from rag.types import Answer

    def run() -> None:
        from rag.inputs import as_filters
        from rag.warm.cli import uses_warm

        settings = settings_from(store, chroma_url, model)
        filters = as_filters(
            {"date_from": date_from, "date_to": date_to, "as_of": as_of, "sources": tuple(source or ())}
        )
        if uses_warm(settings, warm):
            from rag.warm.client import ask_stream

            def starting() -> None:
                if err.is_terminal:
                    err.print(
                        "starting the warm server: the model loads once (`newsdesk serve --stop` ends it)"
                    )

            events = ask_stream(settings, question, k=k, filters=filters, starting=starting)
        else:
            events = _desk(settings).ask_stream(question, k=k, filters=filters)
        answer: Answer | None = None
        streaming = not as_json and out.is_terminal
        streamed: list[str] = []
        for event in events:
            if isinstance(event, Answer):
                answer = event
            elif isinstance(event, str) and streaming:
                streamed.append(event)
                out.print(event, end="", highlight=False, markup=False)
        assert answer is not None
        if as_json:
            print(json.dumps(answer.to_json_dict(), indent=2, ensure_ascii=False))
            if answer.error:
                raise typer.Exit(1)
            return
        if answer.error:
            if streaming and answer.answer:
                out.print()
            err.print(f"[bold red]error:[/] {escape(answer.error)}", highlight=False, soft_wrap=True)
            # The passages were found before the model failed: they may answer the question anyway.
            print_passages(answer)
            raise typer.Exit(1)
        if streaming and not "".join(streamed).strip():
            # Nothing was written (no article matched the filters): the answer says why.
            out.print(escape(answer.answer), highlight=False, soft_wrap=True)
        elif streaming:
            out.print()
            # The model's words were shown as they came; grounding may have changed them
            # (an abstention, a re-pointed marker): the checked answer is the one to keep.
            if answer.answer.strip() != "".join(streamed).strip():
                out.print(f"[bold]Checked:[/] {escape(answer.answer)}", highlight=False, soft_wrap=True)
        else:
            print(answer.answer)
        print_sources(answer)

    guarded(run)


def _print_source(
    number: int, title: str, published: Any, url: str | None, quote: str, limit: int = 400, page: Any = None
) -> None:
    date = published.isoformat() if published else "undated"
    where = f", p. {page}" if page else ""
    out.print(f"[bold]\\[{number}][/] {escape(title)} ({date}{where})", highlight=False, soft_wrap=True)
    if url:
        out.print(f"    {url}", highlight=False, markup=False, soft_wrap=True)
    quote = " ".join(quote.split())
    quote = quote if len(quote) <= limit else quote[: limit - 1].rstrip() + "…"
    out.print(f"    “{quote}”", highlight=False, markup=False, soft_wrap=True)


def print_passages(answer: Any) -> None:
    """The passages retrieved for ``answer``, numbered as the model would have seen them."""
    if not answer.passages:
        return
    out.print("Passages found:", highlight=False)
    for number, p in enumerate(answer.passages, start=1):
        _print_source(number, p.title, p.published, p.url, p.text, limit=200, page=p.page)


def print_sources(answer: Any) -> None:
    if answer.abstained:
        return
    for c in answer.citations:
        quote = " ".join(c.passage[s:e] for s, e in c.highlights) if c.highlights else c.passage
        _print_source(c.number, c.title, c.published, c.url, quote, page=c.page)
    if answer.invalid_citations:
        err.print(f"(dropped citation markers naming no passage: {list(answer.invalid_citations)})")


@app.command()
def models(
    model: ModelOpt = None,
    verify: Annotated[bool, typer.Option("--verify", help="Re-hash the joined file.")] = False,
) -> None:
    """Join the local model's parts into one GGUF file (done on first use otherwise) and show where it is."""

    def run() -> None:
        from rag.models import MODELS, ensure_model
        from rag.models import verify as verify_file

        settings = settings_from(model=model)
        path = ensure_model(settings.model, settings.model_cache)
        ok = verify_file(path, settings.model) if verify else True
        spec = MODELS[settings.model]
        out.print(f"{spec.name}: {path} ({path.stat().st_size:,} bytes, sha256 {'ok' if ok else 'MISMATCH'})")
        if not ok:
            raise typer.Exit(1)

    guarded(run)


@app.command()
def doctor(
    model: ModelOpt = None,
    store: StoreOpt = None,
    chroma_url: UrlOpt = None,
    as_json: JsonOpt = False,
    skip: Annotated[
        list[str] | None,
        typer.Option(
            "--skip", help="Leave out a check (python, packages, model, embedder, store, llm); repeatable."
        ),
    ] = None,
) -> None:
    """Check the installation: Python, packages, model files, embedder, store and LLM; say how to fix each."""
    from rag.doctor import run_checks

    def run() -> None:
        checks = run_checks(settings_from(store, chroma_url, model), skip=frozenset(skip or ()))
        healthy = all(c.ok for c in checks)
        if as_json:
            print(json.dumps({"ok": healthy, "checks": [c.to_dict() for c in checks]}, indent=2))
        else:
            for c in checks:
                mark = "[green]ok  [/]" if c.ok else "[bold red]FAIL[/]"
                out.print(f"{mark} {c.name:<9} {escape(c.detail)}", highlight=False, soft_wrap=True)
                if c.fix:
                    out.print(f"     fix: {c.fix}", highlight=False, markup=False, soft_wrap=True)
        if not healthy:
            raise typer.Exit(1)

    guarded(run)


def register_plugins(target: typer.Typer = app) -> None:
    """Adds the commands other layers declare under the ``newsdesk.commands`` entry points.

    Each entry point names a ``register(app)`` function; one that fails to
    load (a broken optional install) is reported and skipped, so the core
    commands still work.
    """
    for point in sorted(entry_points(group=COMMANDS_GROUP), key=lambda p: p.name):
        try:
            point.load()(target)
        except Exception as exc:  # a plugin's import error must not take the core CLI down
            err.print(
                f"[yellow]warning:[/] the '{point.name}' commands are unavailable: {escape(str(exc))}",
                highlight=False,
                soft_wrap=True,
            )


def _register_warm() -> None:
    from rag.warm.cli import register

    register(app)


_register_warm()
register_plugins()


def main() -> None:
    logging.basicConfig(level=os.environ.get("NEWSDESK_LOG", "WARNING"))
    for noisy in ("tantivy", "httpx", "chromadb", "sentence_transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    app()


if __name__ == "__main__":
    main()
    sys.exit(0)
