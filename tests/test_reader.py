"""The extracting reader: the model's copied sentence is checked before an answer is written from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakes import FakeChatModel, HashEmbeddings

from rag.api import Newsdesk
from rag.citations import ABSTENTION
from rag.reader import Evidence, check_evidence, locate, parse_evidence
from rag.settings import Settings
from rag.types import Answer

ESTONIA = (
    "Britain already has around 850 troops stationed in Estonia and about 150 in Poland under Nato missions."
)
LAUNCHERS = (
    "Talks continued in Geneva. According to reports, the UK has dispatched 30 troops as well as 2,000 "
    "anti-tank missile launchers to Ukraine to train its forces."
)
QUOTE = "According to reports, the UK has dispatched 30 troops as well as 2,000 anti-tank missile launchers to Ukraine to train its forces."  # noqa: E501


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('{"passage": 2, "quote": "A  b.", "answer": "b"}', Evidence(2, "A b.", "b")),
        ('Sure: {"passage": 1, "quote": "x", "answer": "y"} done', Evidence(1, "x", "y")),
        ('{"passage": null, "quote": null, "answer": null}', Evidence(None, None, None)),
        ('{"passage": true, "quote": "x", "answer": " "}', Evidence(None, "x", None)),
        ("not json at all", Evidence(None, None, None)),
        ("[1, 2]", Evidence(None, None, None)),
    ],
)
def test_parse_evidence(raw: str, expected: Evidence) -> None:
    assert parse_evidence(raw) == expected


def test_a_quote_in_its_passage_gives_a_cited_answer_with_its_exact_span() -> None:
    checked = check_evidence(Evidence(2, QUOTE, "2,000 anti-tank missile launchers"), [ESTONIA, LAUNCHERS])
    assert checked.text == "2,000 anti-tank missile launchers [2]."
    start, end = checked.spans[2]
    assert LAUNCHERS[start:end] == QUOTE


def test_a_quote_under_the_wrong_number_is_repointed() -> None:
    checked = check_evidence(Evidence(1, QUOTE, "2,000"), [ESTONIA, LAUNCHERS])
    assert checked.text == "2,000 [2]." and list(checked.spans) == [2]


def test_spacing_and_curly_quotes_do_not_hide_a_copy() -> None:
    passage = "He said: ‘It’s a tiny number’ of 30\ninstructors."
    assert locate("He said: 'It's a tiny number' of 30 instructors.", passage) == (0, len(passage))


@pytest.mark.parametrize(
    "evidence",
    [
        Evidence(2, "The UK sent 9,999 launchers to Ukraine.", "9,999"),  # a quote no passage holds
        Evidence(2, QUOTE, "9,999 launchers"),  # an answer its quote does not state
        Evidence(None, None, None),  # the model abstained
        Evidence(7, "x", None),
    ],
)
def test_unsupported_evidence_abstains(evidence: Evidence) -> None:
    assert check_evidence(evidence, [ESTONIA, LAUNCHERS]).text == ABSTENTION


def test_ask_with_the_extract_reader(settings: Settings, sample_dir: Path) -> None:
    llm = FakeChatModel()
    desk = Newsdesk(settings.model_copy(update={"reader": "extract"}), llm=llm, embedder=HashEmbeddings())
    desk.ingest([sample_dir])
    question = "How many anti-tank missile launchers did the UK send to Ukraine?"
    events = desk.ask_stream(question)
    retrieval = next(events)
    n, text = next((i, p.text) for i, p in enumerate(retrieval.passages, 1) if "2,000 anti-tank" in p.text)
    sentence = next(s for s in text.split("\n") if "2,000 anti-tank" in s).strip()
    llm.replies.append(
        json.dumps({"passage": n, "quote": sentence, "answer": "2,000 anti-tank missile launchers"})
    )
    *deltas, answer = events
    assert isinstance(answer, Answer) and deltas == [f"2,000 anti-tank missile launchers [{n}]."]
    assert answer.answer == deltas[0] and not answer.abstained
    (citation,) = answer.citations
    (span,) = citation.highlights
    assert citation.passage[span[0] : span[1]] == sentence
    system = llm.calls[-1][0].content
    assert "Copy, do not reason" in system and '{"passage": N' in system
