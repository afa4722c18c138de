"""The Gradio app: layout and wiring only; handlers.py talks to the desk, format.py renders.

``build_app`` takes any ``Newsdesk``-like object so tests can inject a fake;
``launch`` serves it; ``run_ui`` is what ``newsdesk ui`` calls.
"""

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import gradio as gr
from starlette.middleware import Middleware

from rag.settings import Settings
from ui import format as fmt
from ui.access import ClientAddress, Login, SessionRoutesNeedLogin, check_exposure, parse_auth
from ui.conversations import Conversations, conversations_folder
from ui.handlers import ARTICLE_COLUMNS, IDLE, INGEST_COLUMNS, Desk, Handlers, busy_controls
from ui.public import Publicity
from ui.script import HEAD
from ui.sources import empty_sources
from ui.style import CSS
from ui.throttle import LoginThrottle

__all__ = ["build_app", "ingest_and_report", "launch", "login_for", "parse_auth", "run_ui"]

log = logging.getLogger("newsdesk.ui")

# Events that run the generator share one concurrency group: one local model.
LLM_GROUP = "llm"


def _ask_tab(k: int) -> dict[str, Any]:
    """Chat on the left, each answer's sources beside it (under the answer on a narrow screen)."""
    c: dict[str, Any] = {}
    with gr.Row(elem_id="nd-ask-row"):
        with gr.Column(scale=3):
            c["chatbot"] = gr.Chatbot(
                label="Answers",
                height=520,
                elem_id="nd-chat",
                latex_delimiters=[],
                feedback_options=None,
                buttons=["copy"],
                placeholder="Ask a question about the articles in the store.",
            )
            with gr.Row(elem_id="nd-ask-bar"):
                c["question"] = gr.Textbox(
                    show_label=False,
                    placeholder=IDLE,
                    scale=8,
                    elem_id="nd-question",
                    max_lines=4,
                    submit_btn=False,
                )
                c["ask"] = gr.Button(
                    "Ask", variant="primary", scale=1, elem_id="nd-ask", size="md", min_width=90
                )
                c["stop"] = gr.Button(
                    "Stop", variant="stop", scale=1, elem_id="nd-stop", size="md", min_width=90, visible=False
                )
                c["clear"] = gr.Button("New chat", scale=1, elem_id="nd-clear", size="md", min_width=110)
            with gr.Row(elem_id="nd-saved-bar"):
                c["conversations"] = gr.Dropdown(
                    label="Saved conversations",
                    choices=[],
                    value=None,
                    elem_id="nd-conversations",
                    scale=6,
                    min_width=200,
                )
                c["delete_conversation"] = gr.Button(
                    "Delete", elem_id="nd-delete-conversation", scale=1, size="sm", min_width=80
                )
                c["export"] = gr.DownloadButton(
                    "Export (Markdown)",
                    elem_id="nd-export",
                    scale=1,
                    size="sm",
                    min_width=150,
                    interactive=False,
                )
            with gr.Accordion("Question used for retrieval", open=False, elem_id="nd-rewritten"):
                c["standalone"] = gr.Textbox(
                    show_label=False,
                    interactive=False,
                    elem_id="nd-standalone",
                    placeholder="A follow-up is rewritten to stand alone.",
                )
            with gr.Accordion("Filters", open=False, elem_id="nd-filters"):
                with gr.Row():
                    c["date_from"] = gr.Textbox(
                        label="Published from", placeholder="YYYY-MM-DD", elem_id="nd-date-from"
                    )
                    c["date_to"] = gr.Textbox(
                        label="Published to", placeholder="YYYY-MM-DD", elem_id="nd-date-to"
                    )
                    c["as_of"] = gr.Textbox(
                        label="As of",
                        placeholder="YYYY-MM-DD",
                        elem_id="nd-as-of",
                        info="Ask as of this day (YYYY-MM-DD): later articles are left out, "
                        "and 'this week' means the week before it.",
                    )
                c["sources"] = gr.Dropdown(
                    label="Sources", choices=[], multiselect=True, value=[], elem_id="nd-source-filter"
                )
                c["k"] = gr.Slider(1, max(20, k), value=k, step=1, label="Passages to retrieve (k)")
        with gr.Column(scale=2, min_width=320, elem_id="nd-sources-col"):
            c["panel"] = gr.HTML(empty_sources(), elem_id="nd-sources", label="Sources")
    return c


def _library_tab() -> dict[str, Any]:
    """Upload with a result per file; the store's articles with search and delete."""
    c: dict[str, Any] = {}
    with gr.Row():
        with gr.Column(scale=2):
            c["upload"] = gr.File(label="Article files", file_count="multiple", elem_id="nd-upload")
            c["ingest"] = gr.Button("Add to library", variant="primary", elem_id="nd-ingest")
            c["summary"] = gr.Markdown(elem_id="nd-ingest-summary")
            c["results"] = gr.Dataframe(
                headers=INGEST_COLUMNS,
                interactive=False,
                wrap=True,
                column_widths=["30%", "16%", "14%", "14%", "26%"],
                elem_id="nd-ingest-result",
                label="Result per file",
            )
        with gr.Column(scale=3):
            c["search"] = gr.Textbox(
                label="Search articles", placeholder="title, source, date or id", elem_id="nd-search"
            )
            c["articles"] = gr.Dataframe(
                headers=ARTICLE_COLUMNS,
                interactive=False,
                elem_id="nd-articles",
                wrap=True,
                column_widths=["44%", "13%", "17%", "8%", "18%"],
                label="Articles in the store (click a row to select it)",
            )
            with gr.Row():
                c["selected"] = gr.Textbox(label="Selected article id", elem_id="nd-selected", scale=3)
                c["delete"] = gr.Button("Delete article", variant="stop", elem_id="nd-delete", scale=1)
    return c


def _wire_chat(h: Handlers, a: dict[str, Any], turns: gr.State, memory: Any, settings: Settings) -> None:
    """Ask (locked until the answer is done), Stop, New chat, and the saved conversations."""
    private: dict[str, Any] = {"api_visibility": "private"}
    cheap: dict[str, Any] = {**private, "concurrency_limit": None}  # never wait behind the model
    # Every model call waits in one queue of settings.concurrency places; Gradio tells each waiting
    # user their place ("queue: 2/3") on the chat, which is why the progress shows there.
    model: dict[str, Any] = {"concurrency_id": LLM_GROUP, "concurrency_limit": settings.concurrency}
    asking = gr.State("")  # the question being answered, for Stop
    controls = [a["question"], a["ask"], a["stop"]]
    chat_out = [a["chatbot"], a["question"], a["panel"], a["standalone"], turns]
    # In the order of Handlers.respond's parameters.
    chat_in = [a["question"], turns, a["date_from"], a["date_to"], a["sources"], a["k"], a["as_of"]]
    saved_out = [memory, a["conversations"], a["export"]]
    settle_out = [a["chatbot"], a["panel"], *controls, asking, *saved_out]
    answering = []
    for trigger in (a["question"].submit, a["ask"].click):
        event = trigger(
            h.wait_turn,
            [a["question"], turns],
            [a["chatbot"], *controls, asking],
            queue=False,
            show_progress="hidden",
            **private,
        ).then(
            h.respond,
            chat_in,
            chat_out,
            show_progress="minimal",
            show_progress_on=a["chatbot"],
            **model,
            **private,
        )
        # Also after Stop cancels it: the chat is usable again and the conversation saved.
        event.then(h.settle, [turns, memory], settle_out, **cheap)
        answering.append(event)
    a["stop"].click(h.stop, [asking, turns], turns, cancels=answering, queue=False, **private).then(
        h.settle, [turns, memory], settle_out, **cheap
    )
    clear_out = [a["chatbot"], a["question"], a["panel"], a["standalone"], turns, *saved_out]
    a["clear"].click(h.clear, None, clear_out, cancels=answering, queue=False, **private).then(
        lambda: busy_controls(False), None, controls, queue=False, **private
    )
    a["chatbot"].clear(h.clear, None, clear_out, queue=False, **private)
    opened = [a["chatbot"], turns, a["panel"], *saved_out]
    # Queued (with no limit), so their warnings reach the page.
    a["conversations"].input(h.open, a["conversations"], opened, **cheap)
    a["delete_conversation"].click(h.delete_conversation, memory, opened, **cheap)


def build_app(desk: Desk, settings: Settings) -> gr.Blocks:
    """The page: Ask tab (chat, sources beside it, filters), Library tab, Settings tab, and /ask."""
    k = settings.k
    saved = Conversations(conversations_folder(settings.store))
    h = Handlers(desk, default_k=k, public=Publicity(settings), saved=saved)
    with gr.Blocks(title="newsdesk", analytics_enabled=False) as demo:
        turns = gr.State([])
        # The browser remembers which conversation it had open; the conversation is a file.
        memory = gr.BrowserState(None, storage_key="newsdesk-conversation", secret=saved.browser_secret())
        with gr.Row(equal_height=True, elem_id="nd-header"):
            gr.Markdown("## newsdesk", elem_id="nd-title")
            status = gr.HTML(fmt.settings_line({}), elem_id="nd-status", scale=4)
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                a = _ask_tab(k)
            with gr.Tab("Library", id="library"):
                lib = _library_tab()
            with gr.Tab("Settings", id="settings"):
                gr.Markdown(
                    "What answers your questions. Change it with `newsdesk.toml` or `NEWSDESK_*` "
                    "variables and restart."
                )
                settings_html = gr.HTML(fmt.settings_table({}), elem_id="nd-settings")

        private: dict[str, Any] = {"api_visibility": "private"}
        cheap: dict[str, Any] = {**private, "concurrency_limit": None}  # never wait behind the model
        _wire_chat(h, a, turns, memory, settings)

        refresh_in = [lib["search"], a["sources"]]
        refresh_out = [lib["articles"], a["sources"], status, settings_html]

        # Gradio finds the progress tracker by this default value; it must be a call here.
        def ingest(files: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
            return h.ingest_files(files, progress)

        lib["ingest"].click(
            ingest,
            lib["upload"],
            [lib["summary"], lib["results"], lib["upload"]],
            concurrency_id="ingest",
            concurrency_limit=1,
            **private,
        ).then(h.refresh, refresh_in, refresh_out, **cheap)
        lib["search"].change(h.articles, lib["search"], lib["articles"], **cheap)
        lib["articles"].select(h.select_article, None, lib["selected"], **cheap)
        lib["delete"].click(
            h.delete, [lib["selected"], lib["search"]], [lib["articles"], lib["selected"]], **cheap
        ).then(h.refresh, refresh_in, refresh_out, **cheap)
        demo.load(h.refresh, refresh_in, refresh_out, **cheap)
        opened = [a["chatbot"], turns, a["panel"], memory, a["conversations"], a["export"]]
        demo.load(h.restore, memory, opened, **cheap)

        gr.api(
            h.ask_api,
            api_name="ask",
            concurrency_id=LLM_GROUP,
            concurrency_limit=settings.concurrency,
            api_description="Ask one question; returns the Answer as JSON (see rag.types.Answer).",
        )
    demo.queue(default_concurrency_limit=settings.concurrency)
    return demo


def login_for(settings: Settings, auth: str | None = None) -> Login | None:
    """The login check for ``auth`` (or the settings' auth), throttled by the settings; None: no login."""
    account = parse_auth(auth or (settings.auth.get_secret_value() if settings.auth else None))
    if account is None:
        return None
    throttle = LoginThrottle(settings.login_free_failures, settings.login_delay, settings.login_delay_cap)
    return Login(*account, throttle=throttle)


def ingest_and_report(desk: Desk, paths: Sequence[str | Path]) -> None:
    """Ingests ``--ingest`` paths before serving and prints a one-line summary plus failures."""
    report = desk.ingest(list(paths))
    print(
        f"Ingested {len(paths)} path(s) in {report.seconds:.1f}s: {report.articles_added} added, "
        f"{report.articles_updated} updated, {report.articles_unchanged} unchanged, "
        f"{report.chunks_added} chunks added, {len(report.failed)} failed."
    )
    for failure in report.failed:
        print(f"  failed: {failure.path}: {failure.reason}")


def launch(
    desk: Desk,
    settings: Settings,
    *,
    host: str | None = None,
    port: int | None = None,
    auth: str | None = None,
    ingest_paths: Sequence[str | Path] = (),
    block: bool = True,
) -> gr.Blocks:
    """Serves the app; binds to loopback unless told otherwise. ``block=False`` is for tests.

    Refuses (``ConfigError``) to serve beyond loopback without a login unless ``settings.insecure``.
    """
    host = host or settings.host
    port = port or settings.port
    login = login_for(settings, auth)
    check_exposure(host, login is not None, settings.insecure)
    if ingest_paths:
        ingest_and_report(desk, ingest_paths)
    demo = build_app(desk, settings)
    demo.launch(
        server_name=host,
        server_port=port,
        auth=login,
        prevent_thread_lock=not block,
        css=CSS,
        head=HEAD,
        ssr_mode=False,
        show_error=False,
        quiet=not block,
        max_file_size=settings.max_file_bytes,
        auth_message="newsdesk: log in to ask questions about the articles. Repeated wrong passwords "
        "make you wait longer before the next try.",
        # Tells the login check which client is trying, and closes the routes Gradio leaves open
        # to anonymous callers (see ui.access).
        app_kwargs={"middleware": [Middleware(ClientAddress), Middleware(SessionRoutesNeedLogin)]},
    )
    return demo


def run_ui(
    settings: Settings,
    *,
    host: str | None = None,
    port: int | None = None,
    auth: str | None = None,
    ingest_paths: Sequence[str | Path] = (),
) -> None:
    """``newsdesk ui``: opens the real desk, ingests ``--ingest`` paths, serves until Ctrl-C.

    Checks the host and login first, so a refused start loads no models.
    """
    from rag.api import Newsdesk

    if not settings.insecure:  # launch() warns about an insecure start; here only refuse early
        check_exposure(host or settings.host, login_for(settings, auth) is not None, insecure=False)
    desk = Newsdesk(settings)
    print("loading the models…", flush=True)
    desk.warm_up()
    try:
        launch(desk, settings, host=host, port=port, auth=auth, ingest_paths=ingest_paths)
    finally:
        desk.close()
