"""Sentence-aware chunking: whole sentences, exact offsets, overlap, coverage, stable ids."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from rag.articles import parse_file
from rag.chunking import chunk_article, chunk_spans
from rag.sentences import sentence_spans
from rag.types import Article

SAMPLES = sorted((Path(__file__).resolve().parents[1] / "data" / "articles").glob("*.txt"))


def article_of(text: str, article_id: str = "a1") -> Article:
    return Article(id=article_id, title="T", text=text)


def short_sentences(n: int) -> str:
    return " ".join(f"Sentence number {i} is short, with a few filler words to give it length." for i in range(n))


def check_invariants(article: Article, size: int, overlap: int) -> None:
    chunks = chunk_article(article, size, overlap)
    spans = sentence_spans(article.text)
    starts = {s for s, _ in spans}
    ends = {e for _, e in spans}
    assert chunks, "a non-empty article gives at least one chunk"
    for n, chunk in enumerate(chunks):
        assert chunk.index == n
        assert chunk.article_id == article.id
        assert chunk.text == article.text[chunk.start : chunk.end]
        assert chunk.start in starts and chunk.end in ends, "chunks start and end on sentence boundaries"
        inside = [sp for sp in spans if chunk.start <= sp[0] and sp[1] <= chunk.end]
        if len(chunk.text) > size:
            assert len(inside) == 1, "only a single sentence may exceed the size"
    # Every sentence lies inside some chunk.
    for s, e in spans:
        assert any(c.start <= s and e <= c.end for c in chunks), f"sentence {s}:{e} not covered"
    # Chunks move forward, and none is a redundant copy of (part of) the previous one.
    for prev, cur in zip(chunks, chunks[1:], strict=False):
        assert cur.start > prev.start
        assert cur.end > prev.end


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
@pytest.mark.parametrize(("size", "overlap"), [(700, 200), (300, 100), (120, 0), (1000, 150)])
def test_sample_articles_keep_the_invariants(path: Path, size: int, overlap: int) -> None:
    [article] = parse_file(path)
    check_invariants(article, size, overlap)


def test_chunks_respect_size_and_overlap_on_short_sentences() -> None:
    text = short_sentences(20)
    article = article_of(text)
    chunks = chunk_article(article, size=300, overlap=120)
    assert len(chunks) > 3
    for chunk in chunks:
        assert len(chunk.text) <= 300
    for prev, cur in zip(chunks, chunks[1:], strict=False):
        assert cur.start < prev.end, "consecutive chunks share whole sentences"
        shared = prev.end - cur.start
        assert 0 < shared <= 120
        assert text[cur.start : prev.end] in prev.text and text[cur.start : prev.end] in cur.text
    check_invariants(article, 300, 120)


def test_no_overlap_when_asked_for_none() -> None:
    text = short_sentences(12)
    chunks = chunk_article(article_of(text), size=250, overlap=0)
    for prev, cur in zip(chunks, chunks[1:], strict=False):
        assert cur.start > prev.end


def test_a_single_huge_sentence_is_kept_whole() -> None:
    huge = "This sentence goes on " + "and on " * 300 + "until it finally ends."
    text = f"A short opening sentence. {huge} A short closing sentence."
    article = article_of(text)
    chunks = chunk_article(article, size=200, overlap=50)
    assert huge in [c.text for c in chunks]
    assert all(len(c.text) <= 200 for c in chunks if c.text != huge)
    check_invariants(article, 200, 50)


def test_only_a_huge_sentence() -> None:
    huge = "Word " * 500 + "end."
    [chunk] = chunk_article(article_of(huge), size=100, overlap=20)
    assert chunk.text == huge.strip() and (chunk.start, chunk.end) == (0, len(huge.strip()))


def test_long_sentence_after_short_ones_gives_no_redundant_chunk() -> None:
    # Stepping back for overlap must not produce a chunk that lies inside the previous one.
    text = short_sentences(5) + " This one is long " + "and goes on " * 52 + "until it ends."
    spans = chunk_spans(text, 700, 200)
    for (s1, e1), (s2, e2) in zip(spans, spans[1:], strict=False):
        assert not (s1 <= s2 and e2 <= e1), f"chunk {s2}:{e2} is contained in chunk {s1}:{e1}"
    check_invariants(article_of(text), 700, 200)


def test_empty_and_blank_text_give_no_chunks() -> None:
    assert chunk_spans("", 100, 10) == []
    assert chunk_spans("   \n\n  ", 100, 10) == []


def test_ids_are_stable_and_unique() -> None:
    [article] = parse_file(SAMPLES[0])
    first = chunk_article(article, 700, 200)
    [again] = parse_file(SAMPLES[0])
    second = chunk_article(again, 700, 200)
    assert [c.id for c in first] == [c.id for c in second]
    assert len({c.id for c in first}) == len(first)
    for c in first:
        digest = hashlib.sha1(f"{c.start}:{c.end}:{c.text}".encode()).hexdigest()[:10]
        assert c.id == f"{article.id}:{c.start}:{digest}"


def test_ids_change_with_the_text() -> None:
    a = chunk_article(article_of("One fact here. Another fact there."), 700, 100)
    b = chunk_article(article_of("One fact here. Another fact elsewhere."), 700, 100)
    assert a[0].id != b[0].id


def test_sentence_spans_trim_whitespace() -> None:
    text = "  First one.   Second one!  \n\n Third?  "
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["First one.", "Second one!", "Third?"]
