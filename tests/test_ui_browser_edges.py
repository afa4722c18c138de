"""The chat's everyday rough edges, in Debian's Chromium: copy, contrast, Stop, sources, saving, phones.

Each test drives the page as a user would and checks what they would see (or
paste). Screenshots go to ``$NEWSDESK_SCREENSHOTS`` or the test's tmp folder.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeChatModel
from test_ui_browser import ARGS, CHROMIUM
from test_ui_fakes import ANTI_TANK, FakeDesk, free_port

from rag.api import Newsdesk
from rag.settings import Settings, load_settings
from rag.types import Answer
from ui.app import launch

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

TROOPS = "How many British troops are stationed in Estonia?"
DONE = "#nd-chat .nd-answer, #nd-chat .nd-abstain, #nd-chat .nd-error, #nd-chat .nd-stopped"
# Every text under these, against the background it is drawn on.
CONTRAST_ROOTS = "#nd-header, #nd-chat, #nd-sources, #nd-saved-bar"


@pytest.fixture
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def serve(desk: Any, store: Path) -> tuple[Any, str]:
    port = free_port()
    demo = launch(desk, load_settings(concurrency=1, store=store), host="127.0.0.1", port=port, block=False)
    return demo, f"http://127.0.0.1:{port}/"


@pytest.fixture
def fake_app(tmp_path: Path) -> Iterator[tuple[FakeDesk, str]]:
    desk = FakeDesk(delay=0.02)
    demo, url = serve(desk, tmp_path / "store")
    yield desk, url
    demo.close()


def open_page(browser: Any, url: str, *, scheme: str = "light", width: int = 1400) -> Any:
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url.rstrip("/"))
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(url)
    page.wait_for_selector("#nd-status b")
    return page


def ask(page: Any, question: str) -> Any:
    """Sends a question and waits for its finished message; returns that message."""
    before = page.locator(DONE).count()
    page.locator("#nd-question textarea").fill(question)
    page.locator("#nd-ask").click()
    page.wait_for_function(f"document.querySelectorAll('{DONE}').length > {before}")
    page.wait_for_function("!document.querySelector('#nd-ask').disabled")
    return page.locator(DONE).nth(before)


# 1. Copy -----------------------------------------------------------------------------------------------


def test_copy_puts_the_answer_and_its_references_on_the_clipboard_as_plain_text(
    browser: Any, fake_app: tuple[FakeDesk, str]
) -> None:
    page = open_page(browser, fake_app[1])
    ask(page, ANTI_TANK)
    page.locator("#nd-chat .message-buttons-left button").last.click()
    page.wait_for_function("navigator.clipboard.readText().then(t => t.length > 0)")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "<" not in copied and "nd-" not in copied, copied
    text, _, refs = copied.partition("\n\n")
    assert "2,000" in text and "[1]" in text
    lines = refs.splitlines()
    assert lines[0].startswith("[1] ") and "2022-01-21" in lines[0]
    assert any(line.startswith("[2] ") and "https://www.telegraph.co.uk/" in line for line in lines)
    page.locator("#nd-chat .message-buttons-right button").last.click()  # the question copies as itself
    page.wait_for_function(f"navigator.clipboard.readText().then(t => t === {json.dumps(ANTI_TANK)})")


# 2. Contrast in light and dark -----------------------------------------------------------------------

CONTRAST_JS = """(roots) => {
  const canvas = document.createElement('canvas'); canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const rgba = (css) => { ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = '#000'; ctx.fillStyle = css;
    ctx.fillRect(0, 0, 1, 1); const d = ctx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255]; };
  const over = (top, bottom) => top.slice(0, 3).map((c, i) => c * top[3] + bottom[i] * (1 - top[3])).concat(1);
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let bg = layers.length && layers[layers.length - 1][3] >= 1 ? layers.pop() : rgba('#fff');
    while (layers.length) bg = over(layers.pop(), bg);
    return bg;
  };
  const lum = (c) => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const bad = []; let checked = 0;
  for (const el of document.querySelectorAll(roots.split(',').map(r => r + ' *').join(','))) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden') continue;
    const bg = background(el); const fg = over(rgba(style.color), bg);
    const [a, b] = [lum(fg), lum(bg)];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    checked++;
    if (ratio < 4.5) bad.push(`${ratio.toFixed(2)} ${el.tagName}.${el.className} "${el.textContent.trim().slice(0, 40)}" ${style.color} on rgb(${bg.slice(0, 3).map(Math.round)})`);
  }
  return {checked, bad};
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_has_contrast_of_at_least_4_5_in_light_and_dark(
    browser: Any, fake_app: tuple[FakeDesk, str], scheme: str, shots: Path
) -> None:
    page = open_page(browser, fake_app[1], scheme=scheme)
    assert page.evaluate("document.querySelector('.dark') !== null") == (scheme == "dark")
    ask(page, ANTI_TANK)
    page.locator("#nd-sources .nd-cited mark").first.wait_for()
    page.locator("#nd-sources summary").first.click()  # the folded passages too
    result = page.evaluate(CONTRAST_JS, CONTRAST_ROOTS)
    page.screenshot(path=shots / f"edges-{scheme}.png", full_page=True)
    assert result["checked"] > 20
    assert not result["bad"], "\n".join(result["bad"])


# 3. Stop ------------------------------------------------------------------------------------------------


def test_stop_cancels_the_answer_on_the_server_and_the_chat_is_usable_again(
    browser: Any, shots: Path, settings: Settings, embedder: Any, sample_dir: Path
) -> None:  # shots before settings: settings' clean_env removes $NEWSDESK_SCREENSHOTS
    model = FakeChatModel(piece=4, delay=0.05)
    model.replies += ["The UK sent " + "many, many " * 300 + "launchers [1].", "Around 850 troops [1]."]
    desk = Newsdesk(settings, llm=model, embedder=embedder)
    desk.ingest([sample_dir])
    demo, url = serve(desk, settings.store)
    try:
        page = open_page(browser, url)
        page.locator("#nd-question textarea").fill(ANTI_TANK)
        page.locator("#nd-ask").click()
        page.wait_for_function(
            "(document.querySelector('#nd-chat .nd-streaming') || {}).innerText?.length > 40"
        )
        # While the answer is written a second question cannot be sent: Ask is off, the box says why.
        assert page.locator("#nd-ask").is_disabled()
        assert page.locator("#nd-question textarea").is_disabled()
        assert "Stop" in page.locator("#nd-question textarea").get_attribute("placeholder")
        page.screenshot(path=shots / "edges-busy.png")
        page.locator("#nd-stop").click()
        stopped_at = time.monotonic()
        page.locator("#nd-chat .nd-stopped").wait_for()
        page.wait_for_function("!document.querySelector('#nd-ask').disabled")
        time.sleep(2.0)
        late = [t for t in model.produced if t > stopped_at + 0.5]
        assert not late, f"{len(late)} pieces produced after Stop"
        assert len(model.produced) < 300  # far from the whole reply
        assert not page.locator("#nd-stop").is_visible()
        answer = ask(page, TROOPS)
        assert answer.inner_text().strip() and page.locator("#nd-chat .nd-stopped").count() == 1
        assert len(model.calls) == 2
    finally:
        demo.close()
        desk.close()


# 5. Each answer keeps its sources ----------------------------------------------------------------------


def test_an_earlier_answers_citation_shows_that_answers_own_source(
    browser: Any, fake_app: tuple[FakeDesk, str]
) -> None:
    page = open_page(browser, fake_app[1])
    first = ask(page, "How many anti-tank missile launchers were dispatched to Ukraine?")
    ask(page, "Port of Tallinn ferry terminal?")  # abstains: no sources of its own
    ask(page, "How many troops does Britain have stationed in Estonia?")
    panel = page.locator("#nd-sources .nd-turn-src.nd-shown")
    assert "Estonia" in panel.inner_text()
    first.locator("a.nd-cite").first.click()
    card = page.locator("#nd-sources #nd-src-0-1")
    assert card.is_visible()
    expected = fake_app[0].calls_of("ask_stream")[0]["question"]
    assert expected in panel.inner_text()  # the header names the first question
    assert "2,000 anti-tank missile launchers" in card.locator("mark").first.inner_text()
    assert (
        page.locator("#nd-sources .nd-cited:visible").count()
        == page.locator("#nd-sources .nd-turn-src.nd-shown .nd-cited").count()
    )


# 6. Conversations survive a reload ---------------------------------------------------------------------


def test_conversations_survive_a_reload_and_are_listed_reopened_exported_and_deleted(
    browser: Any, fake_app: tuple[FakeDesk, str], tmp_path: Path
) -> None:
    folder = tmp_path / "conversations"  # beside the store
    page = open_page(browser, fake_app[1])
    ask(page, ANTI_TANK)
    ask(page, "What did Chatham House say?")
    page.reload()
    page.wait_for_function("document.querySelectorAll('#nd-chat .nd-answer').length == 2")
    assert ANTI_TANK in page.locator("#nd-chat").inner_text()
    page.locator("#nd-chat a.nd-cite").first.click()  # sources come back too
    assert page.locator("#nd-sources #nd-src-0-1 mark").is_visible()

    with page.expect_download() as download:
        page.locator("#nd-export").click()
    markdown = Path(download.value.path()).read_text(encoding="utf-8")
    assert (
        markdown.startswith("# How many anti-tank weapons") and "## What did Chatham House say?" in markdown
    )
    assert "2,000" in markdown and "\\[1\\]" in markdown and "https://www.telegraph.co.uk/" in markdown

    page.locator("#nd-clear").click()
    page.wait_for_function("document.querySelectorAll('#nd-chat .nd-msg').length == 0")
    ask(page, TROOPS)
    assert len(list(folder.glob("*.json"))) == 2
    (folder / ("0" * 32 + ".json")).write_text("{ not json", encoding="utf-8")  # a damaged file
    page.reload()
    page.wait_for_function("document.querySelectorAll('#nd-chat .nd-answer').length == 1")
    dropdown = page.locator("#nd-conversations input")
    dropdown.click()
    options = page.locator("ul[role=listbox] li")
    labels = options.all_inner_texts()
    assert len(labels) == 3 and any("damaged" in label for label in labels), labels
    options.filter(has_text="damaged").click()
    page.get_by_text("cannot be opened").first.wait_for()  # reported, and the chat goes on
    assert TROOPS in page.locator("#nd-chat").inner_text()
    dropdown.click()
    page.locator("ul[role=listbox] li").filter(has_text="How many anti-tank").click()
    page.wait_for_function("document.querySelectorAll('#nd-chat .nd-answer').length == 2")
    page.locator("#nd-delete-conversation").click()
    page.wait_for_function("document.querySelectorAll('#nd-chat .nd-msg').length == 0")
    left = [json.loads(p.read_text())["title"] for p in folder.glob("*.json") if not p.name.startswith("000")]
    assert left == [TROOPS]


# 8. Plain words, filters on the answer, abstention said once, a 390 px screen -------------------------


def test_abstention_once_filters_on_the_answer_and_a_plain_header(
    browser: Any, fake_app: tuple[FakeDesk, str]
) -> None:
    desk, url = fake_app
    page = open_page(browser, url)
    assert page.locator("#nd-status").inner_text().strip() == "2 articles · fake-extractive"
    desk.queue(Answer(question="q", answer="The articles don't say.", abstained=True))
    abstained = ask(page, "What is the capital of Peru?")
    assert abstained.inner_text().strip() == "The articles don't say."
    page.locator("#nd-filters").get_by_text("Filters").click()
    page.locator("#nd-as-of input, #nd-as-of textarea").first.fill("2022-01-22")
    answer = ask(page, TROOPS)
    assert "Filters: as of 2022-01-22" in answer.inner_text()
    assert desk.calls_of("ask_stream")[-1]["filters"].as_of.isoformat() == "2022-01-22"


def test_on_a_390px_screen_the_header_is_one_row_and_sources_sit_under_the_answer(
    browser: Any, fake_app: tuple[FakeDesk, str], shots: Path
) -> None:
    page = open_page(browser, fake_app[1], width=390)
    title, status = page.locator("#nd-title"), page.locator("#nd-status")
    assert abs(title.bounding_box()["y"] - status.bounding_box()["y"]) < 20  # side by side
    assert status.bounding_box()["height"] < 40  # one line, not a tall column of words
    answer = ask(page, ANTI_TANK)
    answer.locator("a.nd-cite").first.click()
    card = answer.locator("#nd-isrc-0-1")
    card.wait_for()
    assert card.is_visible() and "2,000" in card.locator("mark").inner_text()
    chat = page.locator("#nd-chat").bounding_box()
    page.wait_for_function(  # scrolled to within the chat's visible part
        "() => { const c = document.getElementById('nd-isrc-0-1').getBoundingClientRect();"
        " const v = document.getElementById('nd-chat').getBoundingClientRect();"
        " return c.top >= v.top - 1 && c.top < v.bottom - 40; }"
    )
    assert chat is not None
    box, answer_box = card.bounding_box(), answer.bounding_box()
    assert answer_box["y"] <= box["y"] <= answer_box["y"] + answer_box["height"]  # inside the answer
    assert box["y"] < 900  # on the screen, not far below the chat
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing runs off the side
    page.screenshot(path=shots / "edges-390.png")  # as seen: a full-page shot resizes the chat
