"""Hostile articles cannot run script in the chat: checked in a real Chromium.

Articles whose titles, bodies and URLs carry ``<script>``, ``<img onerror>``, ``javascript:``
links and ``"><svg onload>`` are ingested into a real ``Newsdesk`` (bag-of-words embedder),
whose scripted model echoes them back in its answers. Every payload would set
``window.__pwned`` or open a dialog if it ran; neither may happen, and no ``javascript:``
link, event-handler attribute or injected script element may reach the page.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import FakeChatModel, HashEmbeddings
from test_ui_browser import ARGS, CHROMIUM
from test_ui_fakes import free_port

from rag.api import Newsdesk
from rag.settings import load_settings
from ui.app import launch

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

PWN = "window.__pwned=1"
PAYLOADS = [
    f"<script>{PWN}</script>",
    f'<img src=x onerror="{PWN};alert(1)">',
    f'"><svg onload="{PWN};alert(2)">',
    f'<a href="javascript:{PWN}">click</a>',
    f'<iframe src="javascript:{PWN}"></iframe>',
    f"[link](javascript:{PWN}) ![x](x onerror={PWN})",
    f'<details open ontoggle="{PWN}">',
    "${alert(3)} {{constructor.constructor('alert(4)')()}}",
]
ARTICLES = [
    {
        "title": f"Harbour council vote {PAYLOADS[0]}",
        "text": f"The harbour council voted on the ferry budget. {PAYLOADS[1]} The vote passed by nine to four.",
        "url": f"javascript:{PWN}",
        "published": "2023-03-01",
    },
    {
        "title": f"Ferry strike {PAYLOADS[2]}",
        "text": f"Ferry workers went on strike over pay. {PAYLOADS[3]} {PAYLOADS[4]} The strike lasted two days.",
        "url": f'https://example.com/ferry"><svg onload="{PWN}">',
        "published": "2023-03-02",
    },
    {
        "title": f"Museum reopens {PAYLOADS[6]}",
        "text": f"The harbour museum reopened after repairs. {PAYLOADS[5]} {PAYLOADS[7]} Entry is free.",
        "url": "https://example.com/museum?q=<script>window.__pwned=1</script>",
        "published": "2023-03-03",
    },
]
QUESTIONS = ["How did the harbour council vote on the ferry budget?", "How long did the ferry strike last?"]
# The model repeats the hostile text, citing the passages it comes from.
REPLIES = [
    f"The harbour council voted {PAYLOADS[0]} {PAYLOADS[1]} nine to four [1]. {PAYLOADS[2]} [2]",
    f"The strike lasted two days {PAYLOADS[3]} {PAYLOADS[4]} [1]. {PAYLOADS[5]} {PAYLOADS[6]} {PAYLOADS[7]} [2]",
]


@pytest.fixture
def app_url(tmp_path: Path) -> Iterator[str]:
    corpus = tmp_path / "hostile.jsonl"
    corpus.write_text("\n".join(json.dumps(a) for a in ARTICLES) + "\n", encoding="utf-8")
    settings = load_settings(store=tmp_path / "store", concurrency=1)
    desk = Newsdesk(settings, llm=FakeChatModel(replies=list(REPLIES)), embedder=HashEmbeddings())
    report = desk.ingest([corpus])
    assert report.articles_added == len(ARTICLES), report
    port = free_port()
    demo = launch(desk, settings, host="127.0.0.1", port=port, block=False)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


# Everything in the page that could run script: injected script elements, handler attributes, script URLs.
DANGER = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const value = attr.value.trim().toLowerCase();
      if (attr.name.startsWith('on') && value.includes('__pwned')) bad.push(el.tagName + ' ' + attr.name);
      if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(attr.name)
          && value.replace(/[\\s\\u0000-\\u001f]/g, '').startsWith('javascript:')) bad.push(el.tagName + ' ' + attr.name);
    }
    if (el.tagName === 'SCRIPT' && el.textContent.includes('__pwned')) bad.push('script');
  }
  return bad;
}"""


def test_hostile_articles_and_answers_run_no_script(app_url: str) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    dialogs: list[str] = []
    checks = 0
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(60_000)
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(app_url)
            page.wait_for_selector("#nd-status b")
            done = "#nd-chat .nd-answer, #nd-chat .nd-abstain, #nd-chat .nd-error"
            for n, question in enumerate(QUESTIONS):
                page.locator("#nd-question textarea").fill(question)
                page.locator("#nd-ask").click()
                page.wait_for_function(f"document.querySelectorAll('{done}').length > {n}")
                page.wait_for_timeout(300)
                for summary in page.locator("#nd-sources .nd-shown summary").all():  # this answer's
                    summary.click()
                assert page.evaluate("window.__pwned") is None
                assert page.evaluate(DANGER) == []
                checks += 2
            chat = page.locator("#nd-chat").inner_text()
            sources = page.locator("#nd-sources").text_content() or ""  # every answer's, shown or not
            # The hostile text is there, shown as text.
            assert "<script>" in chat + sources and "onerror" in chat + sources, chat + sources
            assert "Harbour council vote" in sources
            # Citation links are in-page anchors; no link leaves for a script URL.
            for a in page.locator("#nd-chat a, #nd-sources a").all():
                href = (a.get_attribute("href") or "").strip().lower()
                assert not href.startswith("javascript:"), href
                checks += 1
            page.get_by_role("tab", name="Library").click()
            page.wait_for_function(
                "document.querySelector('#nd-articles').innerText.includes('Ferry strike')"
            )
            page.wait_for_timeout(300)
            assert page.evaluate("window.__pwned") is None
            assert page.evaluate(DANGER) == []
            checks += 2
            assert dialogs == []
            checks += 1
            # Control: the same payloads put into the page as HTML do run, and the checks see them.
            page.evaluate(
                "html => document.body.insertAdjacentHTML('beforeend', html)", PAYLOADS[1] + PAYLOADS[3]
            )
            page.wait_for_function("window.__pwned === 1")
            assert len(page.evaluate(DANGER)) >= 2 and dialogs
        finally:
            browser.close()
    print(
        f"\nXSS: {len(PAYLOADS)} payloads in {len(ARTICLES)} articles and 2 answers, {checks} checks passed"
    )
