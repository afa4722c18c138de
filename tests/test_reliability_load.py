"""20 users asking at once: every question is answered, none is lost; prints p50/p95.

Runs only when asked, as it takes a minute and loads the machine:

    NEWSDESK_LOAD_TEST=1 .venv/bin/python -m pytest -q -s tests/test_reliability_load.py

The real app (``ui.app.launch``) serves a fake desk whose answers take about 0.2 s, with the
default settings (one model slot, so questions queue). Each user is its own ``gradio_client``
asking two questions in a row through ``/ask``.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from test_ui_fakes import ANTI_TANK, FakeDesk, free_port

from rag.settings import load_settings
from ui.app import launch

pytestmark = [
    pytest.mark.load,
    pytest.mark.skipif(
        os.environ.get("NEWSDESK_LOAD_TEST") != "1", reason="a load test: set NEWSDESK_LOAD_TEST=1 to run it"
    ),
]

USERS = 20
QUESTIONS = (ANTI_TANK, "How many British troops are stationed in Estonia?")
ANSWER_SECONDS = 0.2
DEADLINE = 300.0


@pytest.fixture
def served() -> Iterator[tuple[str, FakeDesk]]:
    desk = FakeDesk(delay=ANSWER_SECONDS / 5)  # FakeDesk.ask sleeps 5 x delay
    port = free_port()
    demo = launch(desk, load_settings(), host="127.0.0.1", port=port, block=False)
    yield f"http://127.0.0.1:{port}/", desk
    demo.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def test_twenty_users_two_questions_each_all_answered(served: tuple[str, FakeDesk]) -> None:
    from gradio_client import Client

    url, desk = served
    seconds: list[float] = []
    failures: list[str] = []
    answers: list[dict[str, Any]] = []
    lock = threading.Lock()
    start = threading.Barrier(USERS)

    def user(n: int) -> None:
        try:
            client = Client(url, verbose=False)
            start.wait(timeout=60)
            for question in QUESTIONS:
                began = time.perf_counter()
                result = client.predict(f"{question} (user {n})", api_name="/ask")
                took = time.perf_counter() - began
                with lock:
                    seconds.append(took)
                    answers.append(result)
        except Exception as exc:  # recorded, so one user's failure does not hide the others'
            with lock:
                failures.append(f"user {n}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(USERS)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(1.0, DEADLINE - (time.perf_counter() - began)))
    wall = time.perf_counter() - began
    assert not any(t.is_alive() for t in threads), "some users were still waiting at the deadline"
    assert failures == []
    assert len(seconds) == USERS * len(QUESTIONS)
    assert all(a["answer"] and a["citations"] for a in answers)
    asked = {c["question"] for c in desk.calls_of("ask")}
    assert len(asked) == USERS * len(QUESTIONS)  # every question reached the desk exactly once
    assert desk.max_active <= load_settings().concurrency  # the model slot was never oversubscribed
    print(
        f"\nload: {USERS} users x {len(QUESTIONS)} questions, {ANSWER_SECONDS} s answers, one model slot: "
        f"p50 {statistics.median(seconds):.2f} s, p95 {percentile(seconds, 0.95):.2f} s, "
        f"max {max(seconds):.2f} s, all done in {wall:.1f} s"
    )
