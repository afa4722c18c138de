"""Sentence-aware chunking: whole sentences, exact offsets, overlap, coverage, stable ids."""

from __future__ import annotations

import hashlib
import random
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
    return " ".join(
        f"Sentence number {i} is short, with a few filler words to give it length." for i in range(n)
    )


def check_invariants(article: Article, size: int, overlap: int) -> None:
    chunks = chunk_article(article, size, overlap)
    spans = sentence_spans(article.text)
    long = [sp for sp in spans if sp[1] - sp[0] > size]
    starts = {s for s, _ in spans}
    ends = {e for _, e in spans}
    assert chunks, "a non-empty article gives at least one chunk"
    for n, chunk in enumerate(chunks):
        assert chunk.index == n
        assert chunk.article_id == article.id
        assert chunk.text == article.text[chunk.start : chunk.end]
        assert len(chunk.text) <= size, "no chunk is ever longer than the size"
        assert chunk.text == chunk.text.strip()
        # Chunks start and end on sentence boundaries, except inside a sentence too long for any chunk.
        assert chunk.start in starts or any(s < chunk.start < e for s, e in long)
        assert chunk.end in ends or any(s < chunk.end < e for s, e in long)
    # Every sentence that fits lies whole inside some chunk; every longer one is covered by chunks.
    for s, e in spans:
        if e - s <= size:
            assert any(c.start <= s and e <= c.end for c in chunks), f"sentence {s}:{e} not covered"
        else:
            covered = {i for c in chunks for i in range(max(s, c.start), min(e, c.end))}
            assert all(i in covered for i in range(s, e) if not article.text[i].isspace())
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


def test_a_sentence_longer_than_a_chunk_is_cut_between_words() -> None:
    # It used to become one chunk of its own, of any size.
    huge = "This sentence goes on " + "and on " * 300 + "until it finally ends."
    text = f"A short opening sentence. {huge} A short closing sentence."
    article = article_of(text)
    chunks = chunk_article(article, size=200, overlap=50)
    assert len(chunks) > 10
    assert all(len(c.text) <= 200 for c in chunks)
    assert chunks[0].text.startswith("A short opening sentence. This sentence goes on")
    assert chunks[-1].text.endswith("until it finally ends. A short closing sentence.")
    for c in chunks:  # cut between words, never inside one
        assert text[c.start - 1 : c.start].strip() == "" and text[c.end : c.end + 1].strip() == ""
    check_invariants(article, 200, 50)


def test_only_a_huge_sentence() -> None:
    huge = "Word " * 500 + "end."
    chunks = chunk_article(article_of(huge), size=100, overlap=20)
    assert all(len(c.text) <= 100 for c in chunks)
    assert (chunks[0].start, chunks[-1].end) == (0, len(huge.strip()))
    for prev, cur in zip(chunks, chunks[1:], strict=False):
        assert 0 < prev.end - cur.start <= 20, "consecutive pieces of one long sentence still overlap"
    check_invariants(article_of(huge), 100, 20)


def test_a_long_sentence_is_cut_after_clause_punctuation_first() -> None:
    clauses = [f"clause number {i} of a long list of conditions" for i in range(60)]
    text = "The deal requires " + "; ".join(clauses) + "."
    chunks = chunk_article(article_of(text), size=300, overlap=0)
    assert len(chunks) > 5
    for c in chunks[:-1]:
        assert c.text.endswith(";"), c.text[-30:]
    check_invariants(article_of(text), 300, 0)


@pytest.mark.parametrize("dash", [" - ", " – ", " — ", "—"])
def test_dashes_are_clause_boundaries(dash: str) -> None:
    text = dash.join(f"part {i} of a sentence that never stops" for i in range(40)) + "."
    chunks = chunk_article(article_of(text), size=200, overlap=0)
    assert len(chunks) > 3
    for c in chunks[:-1]:
        assert c.text.endswith(dash.strip()), c.text[-20:]
    check_invariants(article_of(text), 200, 0)


def test_text_without_spaces_is_hard_cut_with_exact_offsets() -> None:
    text = "x" * 5000
    chunks = chunk_article(article_of(text), size=1000, overlap=150)
    assert all(0 < len(c.text) <= 1000 for c in chunks)
    assert (chunks[0].start, chunks[-1].end) == (0, 5000)
    check_invariants(article_of(text), 1000, 150)


def test_a_hard_cut_keeps_combining_marks_with_their_letter() -> None:
    text = "e\u0301" * 400  # é as e + combining acute, never normalised
    for c in chunk_article(article_of(text), size=101, overlap=0):
        assert len(c.text) <= 101
        assert c.text[0] == "e" and c.text[-1] == "\u0301"


def test_a_table_without_full_stops_fits_the_context() -> None:
    # The shape that overflowed the model's context: 16 kB of cells and no sentence end.
    row = "| Region | 2021 | 2022 | change |"
    text = " ".join([row] * 500)
    assert len(text) > 16_000
    chunks = chunk_article(article_of(text), size=1000, overlap=150)
    assert max(len(c.text) for c in chunks) <= 1000
    check_invariants(article_of(text), 1000, 150)


def test_normal_prose_chunks_exactly_as_before() -> None:
    # Spans recorded before long sentences were cut: stores built then keep their chunk ids.
    texts = {p.name: parse_file(p)[0].text for p in SAMPLES}
    assert chunk_spans(texts["000_2517e97f795ed248.txt"], 1000, 150) == [
        (0, 971),
        (911, 1780),
        (1781, 2654),
        (2579, 3480),
        (3481, 4199),
    ]
    assert chunk_spans(texts["000_2517e97f795ed248.txt"], 700, 200) == [
        (0, 645),
        (498, 1099),
        (911, 1595),
        (1442, 1923),
        (1781, 2289),
        (2177, 2788),
        (2655, 3206),
        (3207, 3887),
        (3740, 4199),
    ]
    assert chunk_spans(texts["003_62fe3089ab312610.txt"], 1000, 150) == [(0, 938), (940, 1836), (1779, 2424)]
    assert chunk_spans(texts["003_62fe3089ab312610.txt"], 700, 200) == [
        (0, 695),
        (697, 1101),
        (940, 1602),
        (1420, 2015),
        (1838, 2424),
    ]


_ALPHABET = "abcdefghij     ,,;:.!?-—–\n\u0301\u00e9"


@pytest.mark.parametrize("seed", range(200))
def test_random_text_keeps_the_invariants(seed: int) -> None:
    # A seeded property test: arbitrary mixes of words, punctuation, dashes and long runs.
    rng = random.Random(seed)
    parts = []
    for _ in range(rng.randint(1, 40)):
        if rng.random() < 0.1:
            parts.append(rng.choice("xy,. ") * rng.randint(50, 600))
        else:
            parts.append("".join(rng.choice(_ALPHABET) for _ in range(rng.randint(1, 80))))
    text = "".join(parts)
    size = rng.choice([1, 2, 5, 40, 120, 300])
    overlap = rng.choice([0, 1, 10, size // 2, size])
    if not text.strip():
        assert chunk_spans(text, size, overlap) == []
        return
    check_invariants(article_of(text), size, overlap)


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


def test_long_texts_are_split_for_the_sentence_splitter_in_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    # blingfire holds ~20 bytes per byte of text at once; huge texts go through it in blocks.
    import rag.sentences

    text = "\n\n".join([short_sentences(5)] * 8)  # paragraphs shorter than a block
    whole = sentence_spans(text)
    monkeypatch.setattr(rag.sentences, "BLOCK_CHARS", 500)
    assert len(text) > 2000 and sentence_spans(text) == whole, "cut at blank lines, prose splits the same"
    assert all(e - s <= 500 for s, e in rag.sentences.blocks(text, 500))
    one_line = "word " * 400  # no sentence end: the block cut is the only place it is split
    spans = sentence_spans(one_line)
    assert len(spans) > 1 and all(e - s <= 500 for s, e in spans)
    assert " ".join(one_line[s:e] for s, e in spans) == one_line.strip()
