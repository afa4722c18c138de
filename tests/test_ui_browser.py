"""End to end in Debian's Chromium through Playwright: ask, stream, cite, follow up, upload, ask again.

The ``desk`` fixture is the seam: it is a FakeDesk here (fast, deterministic);
a variant over the real ``Newsdesk`` and the sample articles can override it
and reuse :func:`drive` unchanged. Screenshots go to ``$NEWSDESK_SCREENSHOTS``
or the test's tmp_path.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_ui_fakes import ANTI_TANK, FakeDesk, free_port, upload_via_library

from rag.settings import load_settings
from rag.types import Answer, Passage
from ui.app import launch

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# Generous for a real local model on CPU; the fake answers in about a second.
TIMEOUT_MS = int(float(os.environ.get("NEWSDESK_BROWSER_TIMEOUT", "240")) * 1000)
FOLLOW_UP = "What did Chatham House say about the troops?"
THIRD_QUESTION = "How many ferry sailings a day can the new Tallinn terminal handle?"
THIRD_ARTICLE = """Port of Tallinn opens new ferry terminal
20220127
https://example.com/2022/01/27/tallinn-ferry-terminal
The Port of Tallinn opened its new ferry terminal on Thursday after two years of construction.
The terminal can handle 14 ferry sailings a day between Tallinn and Helsinki, the port authority said.
It cost 60 million euros and has space for 2,500 passengers at a time.
"""


@pytest.fixture
def desk() -> Any:
    """The desk under test; override this fixture to run the same test on the real Newsdesk."""
    return FakeDesk(delay=0.04)


@pytest.fixture
def app_url(desk: Any, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    settings = load_settings(concurrency=1, store=tmp_path / "store")  # conversations beside it
    demo = launch(desk, settings, host="127.0.0.1", port=port, block=False)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


@pytest.fixture
def page() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        pg.set_default_timeout(TIMEOUT_MS)
        yield pg
        browser.close()


def ask(page: Any, question: str, answers_before: int) -> Any:
    """Types and sends a question; waits for the sources panel and then the finished answer."""
    page.locator("#nd-question textarea").fill(question)
    page.locator("#nd-ask").click()
    done = "#nd-chat .nd-answer, #nd-chat .nd-abstain, #nd-chat .nd-error"
    page.wait_for_function(f"document.querySelectorAll('{done}').length > {answers_before}")
    return page.locator(done).last


def drive(page: Any, url: str, shots: Path, tmp_path: Path, desk: Any = None) -> None:
    """The user journey of the issue; checks on ``desk`` only where it records calls."""
    page.goto(url)
    page.wait_for_selector("#nd-status b")
    page.screenshot(path=shots / "01-start.png")

    page.locator("#nd-question textarea").fill(ANTI_TANK)
    page.locator("#nd-ask").click()
    page.wait_for_selector("#nd-sources .nd-pending, #nd-sources .nd-done")
    if isinstance(desk, FakeDesk):  # the fake streams slowly enough to catch the answer mid-way
        assert page.locator("#nd-chat .nd-streaming").count() == 1
        assert page.locator("#nd-sources .nd-retrieved").count() >= 2
        page.screenshot(path=shots / "02-streaming.png")
    page.wait_for_selector("#nd-chat .nd-answer")
    first = page.locator("#nd-chat .nd-answer").last
    assert "2,000" in first.inner_text()
    cite = first.locator("a.nd-cite").first
    assert cite.is_visible() and cite.inner_text().startswith("[")
    mark = page.locator("#nd-sources .nd-cited mark").first
    assert mark.is_visible() and mark.inner_text().strip()
    assert page.locator("#nd-sources .nd-cited .nd-date").first.inner_text()
    page.screenshot(path=shots / "03-answer.png")
    cite.click()
    target = cite.get_attribute("href")
    assert page.evaluate("location.hash") == target
    assert page.locator(f"#nd-sources {target}").is_visible()

    second = ask(page, FOLLOW_UP, answers_before=1)
    assert second.inner_text().strip()
    page.locator("#nd-rewritten").get_by_text("Question used for retrieval").click()
    standalone = page.locator("#nd-standalone textarea")
    standalone.wait_for()
    assert standalone.input_value().strip()
    if isinstance(desk, FakeDesk):
        assert desk.calls_of("ask_stream")[-1]["history"][0][0] == ANTI_TANK
        assert "following:" in standalone.input_value()
    page.screenshot(path=shots / "04-follow-up.png")

    article = tmp_path / "tallinn-terminal.txt"
    article.write_text(THIRD_ARTICLE, encoding="utf-8")
    result = upload_via_library(page, article)
    assert "tallinn-terminal.txt" in result and "added" in result, result
    page.wait_for_function("document.querySelector('#nd-articles').innerText.includes('Port of Tallinn')")
    page.screenshot(path=shots / "05-library.png")

    page.get_by_role("tab", name="Ask").click()
    page.locator("#nd-clear").click()
    page.wait_for_function("document.querySelectorAll('#nd-chat .nd-msg').length == 0")
    third = ask(page, THIRD_QUESTION, answers_before=0)
    assert "14" in third.inner_text()
    assert "Tallinn" in page.locator("#nd-sources .nd-cited").first.inner_text()
    page.screenshot(path=shots / "06-new-article.png")


def test_user_journey(page: Any, app_url: str, shots: Path, tmp_path: Path, desk: Any) -> None:
    drive(page, app_url, shots, tmp_path, desk)


def test_untrusted_text_and_abstention_render_safely(page: Any, app_url: str, shots: Path, desk: Any) -> None:
    if not isinstance(desk, FakeDesk):
        pytest.skip("needs a scripted answer")
    evil = "Boom <img src=x onerror=\"document.title='pwned'\"> ${document.title} {{value}} end."
    p = Passage(
        chunk_id="x:0",
        article_id="x",
        title="<b>Evil</b> title",
        text=evil,
        start=0,
        end=len(evil),
        score=1.0,
        url="javascript:alert(1)",
        published=None,
        source="<i>src</i>",
    )
    desk.queue(Answer(question="q", answer="The articles don't say.", abstained=True, passages=(p,)))
    page.goto(app_url)
    page.wait_for_selector("#nd-status b")
    abstained = ask(page, "What is the capital of Peru?", answers_before=0)
    assert abstained.inner_text().count("The articles don't say") == 1
    page.locator("#nd-sources summary").click()
    text = page.locator("#nd-sources").inner_text()
    assert "<img src=x" in text and "${document.title}" in text and "{{value}}" in text
    assert "<b>Evil</b> title" in text
    assert page.locator("#nd-sources img, #nd-sources a[href^=javascript]").count() == 0
    assert page.title() != "pwned"
    page.screenshot(path=shots / "07-abstained.png")


def test_library_search_select_delete_and_settings(page: Any, app_url: str, shots: Path, desk: Any) -> None:
    if not isinstance(desk, FakeDesk):
        pytest.skip("deletes articles")
    page.goto(app_url)
    page.wait_for_selector("#nd-status b")
    page.get_by_role("tab", name="Library").click()
    page.locator("#nd-search input, #nd-search textarea").first.fill("telegraph")
    page.wait_for_function("!document.querySelector('#nd-articles').innerText.includes('ukdefencejournal')")
    page.locator('#nd-articles [data-testid="cell-0-0"]').click()
    selected = page.locator("#nd-selected input, #nd-selected textarea").first
    page.wait_for_function("document.querySelector('#nd-selected textarea, #nd-selected input').value != ''")
    article_id = selected.input_value()
    assert article_id in desk.articles
    page.locator("#nd-delete").click()
    page.wait_for_function("!document.querySelector('#nd-articles').innerText.includes('UK troops set')")
    assert desk.calls_of("delete_article") == [{"article_id": article_id}] and article_id not in desk.articles
    page.get_by_role("tab", name="Settings").click()
    settings = page.locator("#nd-settings")
    assert "fake-extractive" in settings.inner_text() and "embedded store 'store'" in settings.inner_text()
    page.screenshot(path=shots / "08-settings.png")


def test_waiting_users_see_their_place_in_the_queue(tmp_path: Path, shots: Path) -> None:
    """Three people ask at once with one model slot: the later ones see their question and their place."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    secret = tmp_path / "private-layout" / "store"
    port = free_port()
    demo = launch(
        FakeDesk(delay=0.25),
        load_settings(concurrency=1, store=secret),
        host="127.0.0.1",
        port=port,
        block=False,
    )
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            pages = [browser.new_page(viewport={"width": 1400, "height": 900}) for _ in range(3)]
            for pg in pages:
                pg.set_default_timeout(30_000)
                pg.goto(f"http://127.0.0.1:{port}/")
                pg.wait_for_selector("#nd-status b")
            for pg in pages:
                pg.locator("#nd-question textarea").fill(ANTI_TANK)
                pg.locator("#nd-ask").click()
            last = pages[2]
            last.wait_for_function("document.querySelector('#nd-chat').innerText.includes('queue: 2/2')")
            chat = last.locator("#nd-chat").inner_text()
            assert ANTI_TANK in chat and "Waiting for a turn with the model" in chat
            last.screenshot(path=shots / "09-queued.png")
            for pg in pages:
                pg.wait_for_selector("#nd-chat .nd-answer")
            assert "queue:" not in last.locator("#nd-chat").inner_text()
            last.get_by_role("tab", name="Settings").click()
            page_text = last.locator("body").inner_text() + last.content()
            assert "private-layout" not in page_text and "embedded store 'store'" in page_text
            browser.close()
    finally:
        demo.close()
