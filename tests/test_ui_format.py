"""Unit tests of ui.format with hand-built Answers: links, highlights, escaping, abstention."""

from __future__ import annotations

from datetime import date

from rag.types import Answer, Citation, Passage, Retrieval
from ui import format as fmt
from ui import markup, sources

PASSAGE = "The UK sent 2,000 anti-tank launchers. Troops <b>trained</b> forces & more."


def cite(
    number: int = 1,
    *,
    passage: str = PASSAGE,
    highlights=((0, 38),),
    url: str | None = "https://x.test/a",
    title: str = "UK arms Ukraine",
    chunk: str = "a:0",
) -> Citation:
    return Citation(
        number=number,
        article_id="a",
        title=title,
        url=url,
        published=date(2022, 1, 21),
        source="Example News",
        passage=passage,
        start=0,
        end=len(passage),
        chunk_id=chunk,
        highlights=highlights,
    )


def passage(chunk: str, text: str = "Other text.", title: str = "Other") -> Passage:
    return Passage(
        chunk_id=chunk,
        article_id=chunk.split(":")[0],
        title=title,
        text=text,
        start=0,
        end=len(text),
        score=0.5,
        url="https://x.test/b",
        published=None,
        source="Wire",
    )


def answer(text: str, citations: tuple[Citation, ...] = (), **kw) -> Answer:
    return Answer(
        question="How many?", answer=text, abstained=kw.pop("abstained", False), citations=citations, **kw
    )


def test_valid_marker_becomes_link_to_card_with_tooltip() -> None:
    html = fmt.link_citations("They sent 2,000 [1].", [cite()], turn=3)
    assert '<a class="nd-cite" href="#nd-src-3-1"' in html
    assert 'title="UK arms Ukraine — Example News, 2022-01-21"' in html
    assert html.startswith("They sent 2,000 ")


def test_marker_without_citation_stays_plain_text() -> None:
    html = fmt.link_citations("Cited [1], not cited [7].", [cite()])
    assert html.count("<a ") == 1
    assert "not cited [7]." in html


def test_grouped_markers_link_each_number() -> None:
    html = fmt.link_citations("Both [1, 2].", [cite(1), cite(2, chunk="a:1")])
    assert 'href="#nd-src-0-1"' in html and 'href="#nd-src-0-2"' in html


def test_answer_has_reference_list_with_url_and_escaped_model_text() -> None:
    html = fmt.format_answer(answer("<script>x()</script> 2,000 [1]", (cite(),)))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="https://x.test/a" target="_blank" rel="noopener noreferrer"' in html
    assert "nd-answer" in html and "\n\n" not in html


def test_highlight_wraps_exactly_the_span() -> None:
    html = markup.highlight("Alpha beta. Gamma delta.", [(12, 24)])
    assert html == "Alpha beta. <mark>Gamma delta.</mark>"


def test_highlight_merges_clamps_and_ignores_bad_spans() -> None:
    html = markup.highlight("abcdef", [(4, 99), (1, 3), (2, 4), (5, 2), (-5, 0)])
    assert html == "a<mark>bcdef</mark>"


def test_html_in_passages_and_titles_is_escaped() -> None:
    start = PASSAGE.index("Troops")
    c = cite(title='<img src=x onerror="alert(1)">', highlights=((start, PASSAGE.index(" &")),))
    html = sources.source_cards(answer("x [1]", (c,)))
    assert "<b>" not in html and "<img" not in html
    assert "&lt;b&gt;trained&lt;/b&gt;" in html
    assert "&amp; more" in html
    assert "<mark>Troops &lt;b&gt;trained&lt;/b&gt; forces</mark> &amp; more." in html


def test_only_http_urls_become_links() -> None:
    c = cite(url="javascript:alert(1)")
    html = fmt.format_answer(answer("x [1]", (c,))) + sources.source_cards(answer("x [1]", (c,)))
    assert "javascript:" not in html
    assert markup.safe_url("https://ok.test/p?q=1") == "https://ok.test/p?q=1"
    assert markup.safe_url("ftp://x.test") is None and markup.safe_url("//x.test") is None


def test_abstention_looks_different_from_an_answer() -> None:
    normal = fmt.format_answer(answer("They sent 2,000 [1].", (cite(),)))
    abstained = fmt.format_answer(answer("The articles don't say.", abstained=True))
    assert "nd-abstain" in abstained and abstained.count("The articles don&#x27;t say.") == 2  # shown, copied
    assert "Not in the articles" not in abstained
    assert "nd-abstain" not in normal and "nd-answer" not in abstained


def test_error_answer_points_to_passages() -> None:
    html = fmt.format_answer(answer("", error="LLM unreachable", passages=(passage("b:0"),)))
    assert "nd-error" in html and "LLM unreachable" in html and "shown with the sources" in html


def test_source_cards_show_cited_with_highlight_and_fold_the_rest() -> None:
    a = answer("x [1]", (cite(),), passages=(passage("a:0", PASSAGE), passage("b:0"), passage("c:0")))
    html = sources.source_cards(a, turn=2)
    cited, _, folded = html.partition("<details")
    assert 'id="nd-src-2-1"' in cited and "<mark>" in cited
    assert "2 retrieved but not cited" in folded and folded.count("nd-retrieved") == 2
    assert "2022-01-21" in cited and "Example News" in cited and 'href="https://x.test/a"' in cited


def test_pending_sources_lists_every_retrieved_passage() -> None:
    r = Retrieval(
        question="q",
        standalone_question="What did the UK send?",
        passages=(passage("a:0", "<i>one</i>"), passage("b:0")),
        seconds=0.1,
    )
    html = sources.pending_sources(r)
    assert "2 passages retrieved" in html and html.count("nd-retrieved") == 2
    assert "What did the UK send?" in html and "&lt;i&gt;one" in html and "<mark>" not in html


def test_streaming_and_question_messages_are_escaped_single_blocks() -> None:
    assert "&lt;b&gt;" in fmt.format_partial("<b>par")
    q = fmt.format_question("a\n\nb [link](javascript:x)")
    assert "\n" not in q and q.startswith("<div") and "<br><br>" in q


def test_citation_card_shows_the_page_of_a_pdf_and_nothing_without_one() -> None:
    paged = sources.source_cards(answer("x [1]", (cite().model_copy(update={"page": 2}),)), turn=1)
    assert '<span class="nd-page">p. 2</span>' in paged
    assert "nd-page" not in sources.source_cards(answer("x [1]", (cite(),)), turn=1)
