"""The real Gradio app over a FakeDesk: /ask through gradio_client, concurrency, errors, handlers."""

from __future__ import annotations

import inspect
import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from fakes import FakeChatModel
from gradio_client import Client
from gradio_client.exceptions import AppError, AuthenticationError
from gradio_client.utils import Status
from test_ui_fakes import ANTI_TANK, FakeDesk, free_port

from rag.api import Newsdesk
from rag.errors import ConfigError, LLMUnavailableError
from rag.settings import load_settings
from rag.types import Answer, Filters
from ui.app import LLM_GROUP, build_app, launch, parse_auth
from ui.handlers import INTERNAL, Handlers, messages, parse_filters

TROOPS = "How many British troops are stationed in Estonia?"  # both sample articles mention troops


def start(desk: FakeDesk, **kw: Any) -> tuple[gr.Blocks, str]:
    port = free_port()
    demo = launch(desk, load_settings(concurrency=1, k=4), host="127.0.0.1", port=port, block=False, **kw)
    return demo, f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[FakeDesk, str]]:
    desk = FakeDesk(delay=0.02)
    demo, url = start(desk)
    yield desk, url
    demo.close()


def client(url: str, **kw: Any) -> Client:
    return Client(url, verbose=False, analytics_enabled=False, download_files=False, **kw)


def test_ask_endpoint_returns_answer_json(served: tuple[FakeDesk, str]) -> None:
    desk, url = served
    result = client(url).predict(ANTI_TANK, api_name="/ask")
    answer = Answer.model_validate(result)
    assert "2,000" in answer.answer and "[1]" in answer.answer
    assert answer.citations[0].number == 1 and answer.citations[0].highlights
    assert answer.passages and answer.error is None
    assert desk.calls_of("ask")[-1]["question"] == ANTI_TANK


def test_only_ask_is_a_public_endpoint(served: tuple[FakeDesk, str]) -> None:
    api = client(served[1]).view_api(print_info=False, return_format="dict")
    assert list(api["named_endpoints"]) == ["/ask"]


def test_ask_endpoint_filters_and_bad_dates(served: tuple[FakeDesk, str]) -> None:
    desk, url = served
    c = client(url)
    c.predict(question=ANTI_TANK, k=3, date_from="2022-01-01", sources=["telegraph.co.uk"], api_name="/ask")
    call = desk.calls_of("ask")[-1]
    assert call["k"] == 3 and call["filters"].sources == ("telegraph.co.uk",)
    assert str(call["filters"].date_from) == "2022-01-01"
    with pytest.raises(AppError, match="YYYY-MM-DD"):
        c.predict(ANTI_TANK, None, "21/01/2022", api_name="/ask")


def test_ask_endpoint_takes_as_of(served: tuple[FakeDesk, str]) -> None:
    desk, url = served
    c = client(url)
    api = c.view_api(print_info=False, return_format="dict")
    params = [p["parameter_name"] for p in api["named_endpoints"]["/ask"]["parameters"]]
    assert params == ["question", "k", "date_from", "date_to", "sources", "as_of"]
    result = c.predict(question=TROOPS, as_of="2022-01-22", api_name="/ask")
    assert desk.calls_of("ask")[-1]["filters"].as_of == date(2022, 1, 22)
    assert result["passages"] and {p["published"] for p in result["passages"]} == {"2022-01-21"}
    c.predict(question=TROOPS, as_of="", api_name="/ask")
    assert desk.calls_of("ask")[-1]["filters"] is None
    with pytest.raises(AppError, match="As of must be a date as YYYY-MM-DD"):
        c.predict(question=TROOPS, as_of="tomorrow", api_name="/ask")


def test_concurrent_questions_each_get_an_answer_or_a_clear_error(served: tuple[FakeDesk, str]) -> None:
    desk, url = served
    desk.max_active = 0
    desk.queue(LLMUnavailableError("the language model server is not reachable; start it and retry"))
    results: list[Any] = [None] * 4

    def ask(i: int) -> None:
        try:
            results[i] = client(url).predict(f"{ANTI_TANK} ({i})", api_name="/ask")
        except AppError as err:
            results[i] = err

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    errors = [r for r in results if isinstance(r, AppError)]
    answers = [r for r in results if isinstance(r, dict)]
    assert len(errors) == 1 and "not reachable" in str(errors[0])
    assert len(answers) == 3 and all("2,000" in a["answer"] for a in answers)
    assert desk.max_active == 1  # the queue runs one model call at a time (concurrency=1)


def test_llm_failure_then_app_still_answers(served: tuple[FakeDesk, str]) -> None:
    desk, url = served
    c = client(url)
    desk.queue(LLMUnavailableError("model down"))
    with pytest.raises(AppError, match="model down"):
        c.predict(ANTI_TANK, api_name="/ask")
    failed = desk._answer(ANTI_TANK, [], 4, None).model_copy(update={"answer": "", "error": "model down"})
    desk.queue(failed, RuntimeError("boom"))
    result = c.predict(ANTI_TANK, api_name="/ask")
    assert result["error"] == "model down" and result["passages"]
    with pytest.raises(AppError, match="went wrong"):
        c.predict(ANTI_TANK, api_name="/ask")
    assert "2,000" in c.predict(ANTI_TANK, api_name="/ask")["answer"]


def test_login_required_when_auth_given() -> None:
    demo, url = start(FakeDesk(delay=0), auth="editor:s3cret")
    try:
        with pytest.raises(AuthenticationError):
            client(url).predict(ANTI_TANK, api_name="/ask")
        assert "2,000" in client(url, auth=("editor", "s3cret")).predict(ANTI_TANK, api_name="/ask")["answer"]
    finally:
        demo.close()


def test_parse_auth() -> None:
    assert parse_auth("u:p:q") == ("u", "p:q") and parse_auth(None) is None
    with pytest.raises(ConfigError):
        parse_auth("nopassword")


# The chat handler, without a browser -----------------------------------------------------------------


def run(
    h: Handlers, question: str, turns: list, date_from: str = "", as_of: str | None = None
) -> list[tuple]:
    if as_of is None:  # the handler called as before the "As of" field
        return list(h.respond(question, turns, date_from, "", [], 4))
    return list(h.respond(question, turns, date_from, "", [], 4, as_of))


def test_respond_shows_sources_before_the_answer_and_passes_history() -> None:
    desk = FakeDesk(delay=0)
    h = Handlers(desk, default_k=4)
    steps = run(h, ANTI_TANK, [])
    first_panel = next(i for i, s in enumerate(steps) if isinstance(s[2], str))
    assert "passages retrieved" in steps[first_panel][2]
    assert first_panel < len(steps) - 1 and "nd-streaming" in steps[-2][0][-1]["content"]
    chat, _, panel, standalone, turns = steps[-1]
    assert "2,000" in chat[-1]["content"] and "nd-cite" in chat[-1]["content"] and "<mark>" in panel
    assert standalone == ANTI_TANK and len(turns) == 1 and turns[0].ok
    steps = run(h, "Who trained the forces?", turns)
    assert desk.calls_of("ask_stream")[-1]["history"] == [(ANTI_TANK, turns[0].answer)]
    assert "following:" in steps[-1][3] and len(steps[-1][0]) == 4


def test_respond_rejects_bad_dates_without_asking() -> None:
    desk = FakeDesk(delay=0)
    with pytest.warns(UserWarning, match="YYYY-MM-DD"):
        steps = run(Handlers(desk, 4), ANTI_TANK, [], date_from="Jan 2022")
    assert len(steps) == 1 and steps[0][4] == [] and not desk.calls_of("ask_stream")


LATER = 'nd-date">2022-01-26<'  # the sample article published after AS_OF, as its card shows its date
AS_OF = "2022-01-22"


def test_respond_passes_as_of_and_leaves_out_later_articles() -> None:
    desk = FakeDesk(delay=0)
    h = Handlers(desk, 4)
    everything = run(h, TROOPS, [])[-1][2]
    assert LATER in everything and desk.calls_of("ask_stream")[-1]["filters"] is None
    steps = run(h, TROOPS, [], as_of=f" {AS_OF} ")
    filters = desk.calls_of("ask_stream")[-1]["filters"]
    assert filters.as_of == date(2022, 1, 22) and filters.date_from is None and filters.date_to is None
    panel = steps[-1][2]
    assert 'nd-date">2022-01-21<' in panel and LATER not in panel


def test_an_empty_as_of_means_no_as_of() -> None:
    assert parse_filters("", "", [], "") is None and parse_filters(None, None, None, "   ") is None
    assert parse_filters("2022-01-01", "", [], "").as_of is None  # type: ignore[union-attr]
    desk = FakeDesk(delay=0)
    run(Handlers(desk, 4), TROOPS, [], as_of="")
    assert desk.calls_of("ask_stream")[-1]["filters"] is None
    run(Handlers(desk, 4), TROOPS, [], date_from="2022-01-01", as_of="  ")
    filters = desk.calls_of("ask_stream")[-1]["filters"]
    assert filters.date_from == date(2022, 1, 1) and filters.as_of is None


@pytest.mark.parametrize("bad", ["next Tuesday", "22/01/2022", "2022-02-30"])
def test_respond_rejects_a_bad_as_of_with_a_warning_and_no_traceback(
    bad: str, caplog: pytest.LogCaptureFixture
) -> None:
    desk = FakeDesk(delay=0)
    with pytest.warns(UserWarning, match=r"As of must be a date as YYYY-MM-DD.*got") as seen:
        steps = run(Handlers(desk, 4), ANTI_TANK, [], as_of=bad)
    assert len(steps) == 1 and steps[0][4] == [] and not desk.calls_of("ask_stream")
    assert steps[0][0] == [] and steps[0][1] == gr.skip()  # no waiting notice left; the question kept
    assert [str(w.message) for w in seen] == [
        f"As of must be a date as YYYY-MM-DD, e.g. 2022-01-31; got &#x27;{bad}&#x27;."
    ]
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def test_a_date_from_after_as_of_is_refused() -> None:
    desk = FakeDesk(delay=0)
    h = Handlers(desk, 4)
    turns = run(h, ANTI_TANK, [])[-1][4]
    with pytest.warns(UserWarning, match=r"Date from \(2022-01-25\) is after as of \(2022-01-22\)"):
        steps = run(h, TROOPS, turns, date_from="2022-01-25", as_of=AS_OF)
    assert len(steps) == 1 and len(desk.calls_of("ask_stream")) == 1
    assert steps[0][0] == messages(turns) and steps[0][4] == turns  # the earlier answer stays, nothing else
    # The same day is fine: articles of that day are seen.
    assert parse_filters(AS_OF, "", [], AS_OF) == Filters(
        date_from=date(2022, 1, 22), as_of=date(2022, 1, 22)
    )


def test_as_of_through_a_real_desk_leaves_out_later_articles(
    desk: Newsdesk, fake_llm: FakeChatModel, sample_dir: Path
) -> None:
    desk.ingest([sample_dir])
    h = Handlers(desk, 4)
    fake_llm.replies += ["The articles don't say.", "The articles don't say."]
    steps = run(h, TROOPS, [], as_of=AS_OF)
    pending = [s[2] for s in steps if isinstance(s[2], str)]
    assert pending and 'nd-date">2022-01-21<' in pending[0] and LATER not in pending[0]
    assert "nd-abstain" in steps[-1][0][-1]["content"]  # answered (an abstention), not failed
    steps = run(h, TROOPS, [])
    pending = [s[2] for s in steps if isinstance(s[2], str)]
    assert LATER in pending[0]  # without "As of" the later article is found
    assert "nd-abstain" in steps[-1][0][-1]["content"] and len(fake_llm.calls) == 2


def test_the_as_of_box_is_wired_to_the_as_of_parameter() -> None:
    demo = build_app(FakeDesk(delay=0), load_settings())
    box = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "nd-as-of")
    assert box.label == "As of" and "later articles are left out" in (box.info or "")
    respond = [fn for fn in demo.fns.values() if fn.name == "respond"]
    assert len(respond) == 2  # Enter in the question box and the Ask button
    params = [p for p in inspect.signature(Handlers.respond).parameters if p not in ("self", "request")]
    for fn in respond:
        assert len(fn.inputs) == len(params)
        wired = {name: getattr(block, "elem_id", None) for name, block in zip(params, fn.inputs, strict=True)}
        assert wired["as_of"] == "nd-as-of" and wired["date_from"] == "nd-date-from"
        assert wired["date_to"] == "nd-date-to" and wired["sources"] == "nd-source-filter"


def test_respond_errors_become_messages_and_session_continues() -> None:
    desk = FakeDesk(delay=0)
    h = Handlers(desk, 4)
    desk.queue(LLMUnavailableError("model down"), ValueError("secret internals"))
    with pytest.warns(UserWarning):
        turns = run(h, ANTI_TANK, [])[-1][4]
        turns = run(h, ANTI_TANK, turns)[-1][4]
    assert "model down" in turns[0].bot_html and "nd-error" in turns[0].bot_html
    assert INTERNAL in turns[1].bot_html and "secret" not in turns[1].bot_html
    steps = run(h, ANTI_TANK, turns)
    assert desk.calls_of("ask_stream")[-1]["history"] == []  # failed turns are not history
    assert "2,000" in steps[-1][0][-1]["content"]


def test_abstention_and_failed_generation_in_chat() -> None:
    desk = FakeDesk(delay=0)
    h = Handlers(desk, 4)
    chat = run(h, "What is the capital of Peru?", [])[-1][0]
    assert "nd-abstain" in chat[-1]["content"]
    failed = desk._answer(ANTI_TANK, [], 4, None).model_copy(update={"answer": "", "error": "timeout"})
    desk.queue(failed)
    with pytest.warns(UserWarning, match="timeout"):
        _, _, panel, _, turns = run(h, ANTI_TANK, [])[-1]
    assert "nd-error" in turns[-1].bot_html and "nd-failed" in panel and panel.count("nd-retrieved") >= 2
    assert not turns[-1].ok


def test_ingest_gives_a_row_per_file(tmp_path: Path) -> None:
    good, empty = tmp_path / "good.txt", tmp_path / "empty.txt"
    good.write_text(
        "Ferry adds night route\n20220128\nhttps://example.com/ferry\nIt runs 14 sailings a week.\n"
    )
    empty.write_text("")
    desk = FakeDesk(delay=0)
    seen: list[Any] = []
    summary, table, cleared = Handlers(desk, 4).ingest_files(
        [str(good), str(empty)], lambda *a, **kw: seen.append(a)
    )
    rows = table.values.tolist()
    assert rows[0][:4] == ["good.txt", "added", 1, 1] and rows[1][1] == "failed" and "empty" in rows[1][4]
    assert summary.startswith("1 of 2") and cleared is None and seen
    assert "good" in Handlers(desk, 4).articles("ferry")["ID"].tolist()


def test_waiting_questions_are_told_their_place_in_the_queue() -> None:
    gate = threading.Event()  # the first question is held until the others are seen waiting
    desk = FakeDesk(delay=0.01, gate=gate)  # concurrency 1
    demo, url = start(desk)
    try:
        jobs = [client(url).submit(f"{ANTI_TANK} (0)", api_name="/ask")]
        _wait_for(lambda: desk.active == 1)  # a known order in the queue, however busy the machine
        ranks: dict[int, set[int]] = {1: set(), 2: set()}
        for i in (1, 2):
            jobs.append(client(url).submit(f"{ANTI_TANK} ({i})", api_name="/ask"))
            _wait_for(lambda i=i: jobs[i].status().code == Status.IN_QUEUE)

        def seen_in_line() -> bool:
            for i in (1, 2):
                status = jobs[i].status()
                if status.code == Status.IN_QUEUE and status.rank is not None:
                    ranks[i].add(status.rank)
            return 1 in ranks[2] and 0 in ranks[1]

        _wait_for(seen_in_line)
        gate.set()
        assert all("2,000" in j.result(timeout=30)["answer"] for j in jobs)
    finally:
        gate.set()
        demo.close()
    assert 1 in ranks[2] and 0 in ranks[1]  # 0-based: the third asker saw "2nd in line"
    assert desk.max_active == 1


def _wait_for(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def test_chat_and_api_share_the_model_queue_with_the_configured_concurrency() -> None:
    desk = FakeDesk(delay=0.1)
    demo = build_app(desk, load_settings(concurrency=2))
    llm = [fn for fn in demo.fns.values() if fn.concurrency_id == LLM_GROUP]
    names = {fn.name for fn in llm}
    assert {"respond", "ask_api"} <= names and all(fn.concurrency_limit == 2 for fn in llm)
    respond = next(fn for fn in llm if fn.name == "respond")
    assert respond.queue and respond.show_progress == "minimal"
    waiting = [fn for fn in demo.fns.values() if fn.name == "wait_turn"]
    assert waiting and all(not fn.queue for fn in waiting)  # the question shows before the queue


def test_stop_ends_the_answer_and_the_model_mid_stream(
    desk: Newsdesk, fake_llm: FakeChatModel, sample_dir: Path
) -> None:
    desk.ingest([sample_dir])
    fake_llm.piece = 2
    fake_llm.replies.append("The UK sent " + "many " * 500 + "launchers [1].")
    h = Handlers(desk, 4)
    h.wait_turn(ANTI_TANK, [])
    steps = h.respond(ANTI_TANK, [], "", "", [], 4)
    for _ in range(6):  # the retrieval, then pieces of text
        next(steps)
    turns = h.stop(ANTI_TANK, [])
    assert turns[-1].kind == "stopped" and "Stopped" in turns[-1].bot_html
    assert list(steps) == []  # the next piece ends it: no answer is made
    assert len(fake_llm.calls) == 1
