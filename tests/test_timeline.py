"""Dated lists read as entries (``rag.timeline``), and the "timeline" check that holds an answer
to the years of the entry it names."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import FakeChatModel, HashEmbeddings

from rag.api import Newsdesk
from rag.citations import is_abstention
from rag.settings import Settings
from rag.timeline import PRESENT, Entry, dated_lists, label, named_entry
from rag.types import Answer, Passage

GREENS = (
    "Leadership .\n\n"
    "- President of the Federal Council : Franco Corleone ( 1993–1997 ) , Massimo Scalia ( 1997–1999 )\n\n"
    "- Spokesperson : Carlo Ripa di Meana ( 1993–1996 ) , Luigi Manconi ( 1996–1999 ) , "
    "Grazia Francescato ( 1999–2001 )"
)
CEOS = (
    "List of CEOs\n\n- Anatol Adamski , 1985-1990\n\n- Krzysztof Jarmuszczak , 1990-1993\n\n"
    "- Roman Fulneczek , 1993-1996\n\n- Jan Monkiewicz , 1996-1997\n\n- Władysław Jamrożyk , 1997-2000"
)
OWNERS = (
    "Owners .\n\n- 1954-1964 - James McMillan Gibson\n\n"
    "- 1964-1965 - Jacqueline Kennedy , Caroline Kennedy\n\n"
    "- 1965-1976 - Michael Whitney Straight and Nina G . Auchincloss\n\n"
    "- 2017–present - David W . Hudgens , who restored it"
)
CAREER = "He joined Ajax in 1998. He played for Ajax from 1998 to 2003. He moved to Milan in 2004 and stayed until 2009."


def _entries(text: str) -> list[list[tuple[str, int, int]]]:
    return [[(e.text, e.first, e.last) for e in entries] for entries in dated_lists([text])]


def test_bullets_of_one_entry_each_are_one_list() -> None:
    assert _entries(CEOS) == [
        [
            ("Anatol Adamski", 1985, 1990),
            ("Krzysztof Jarmuszczak", 1990, 1993),
            ("Roman Fulneczek", 1993, 1996),
            ("Jan Monkiewicz", 1996, 1997),
            ("Władysław Jamrożyk", 1997, 2000),
        ]
    ]


def test_a_bullet_naming_several_holders_is_a_list_of_its_own_without_its_label() -> None:
    assert _entries(GREENS) == [
        [("Franco Corleone", 1993, 1997), ("Massimo Scalia", 1997, 1999)],
        [
            ("Carlo Ripa di Meana", 1993, 1996),
            ("Luigi Manconi", 1996, 1999),
            ("Grazia Francescato", 1999, 2001),
        ],
    ]


def test_a_holder_with_a_life_and_a_term_is_one_entry_dated_by_the_term() -> None:
    rectors = (
        "Rectors\n\n- Rolf Landsberg ( 1920–2003 ) , chemist ( 1962–1964 )\n\n"
        "- Hans-Joachim Bittrich ( 1923–2010 ) , chemist ( 1964–1968 )\n\n"
        "- Hans-Heinz Emons ( born 1930 ) , chemist ( 1968–1975 )"
    )
    (entries,) = dated_lists([rectors])
    assert [(label(e), e.first, e.last) for e in entries] == [
        ("Rolf Landsberg, chemist (1962–1964)", 1962, 1964),
        ("Hans-Joachim Bittrich, chemist (1964–1968)", 1964, 1968),
        ("Hans-Heinz Emons, chemist (1968–1975)", 1968, 1975),
    ]


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("- 2017–present : Gaute Straume Epland ( Ap )", ("Gaute Straume Epland ( Ap", 2017, PRESENT)),
        (
            "- 20 April 1940 – 25 November : Oberleutnant Ernst Bauer",
            ("Oberleutnant Ernst Bauer", 1940, 1940),
        ),
        ("- Dell Comics ( Oct 1940 – Aug 1962 ) #1–263", ("Dell Comics #1–263", 1940, 1962)),
        ("- Real Madrid Teka 2003–05", ("Real Madrid Teka", 2003, 2005)),
        ("- Władysław Bartoszewicz , 2001", ("Władysław Bartoszewicz", 2001, 2001)),
        ("- 1934 – Marine Fänrik", ("Marine Fänrik", 1934, 1934)),  # "Marine" is not March
    ],
)
def test_the_ways_an_item_gives_its_years(item: str, expected: tuple[str, int, int]) -> None:
    text = "\n".join([item, "- Someone , 1901-1902", "- Someone else , 1903-1904"])
    assert _entries(text)[0][0] == expected


def test_prose_with_dates_and_two_dated_bullets_are_not_lists() -> None:
    assert dated_lists([CAREER]) == []
    assert dated_lists(["- Anatol Adamski , 1985-1990\n- Roman Fulneczek , 1993-1996"]) == []


def test_an_entry_covers_the_share_of_the_asked_years_it_holds() -> None:
    corleone = Entry("Franco Corleone", 1993, 1997, 1, 0, 10)
    assert corleone.covers(1997, 1999) == pytest.approx(1 / 3)
    assert corleone.covers(1994, 1995) == 1
    assert corleone.covers(1998, 1999) == 0


def test_the_entry_an_answer_names() -> None:
    lists = dated_lists([GREENS])
    question = "Who was the chair of the Federation of the Greens from 1997 to 1999?"
    named = named_entry("The chair was Franco Corleone [1].", question, lists)
    assert named is not None and named[1].text == "Franco Corleone" and named[0] == 0
    assert named_entry("The chair was Mario Rossi [1].", question, lists) is None
    # Both entries share the answer's words equally: no entry is named.
    tied = dated_lists(["- Anna Rossi , 1990-1991\n- Carla Bianchi , 1991-1992\n- Anna Bianchi , 1992-1993"])
    assert named_entry("Rossi [1].", "Who led it in 1991?", tied) is not None
    assert named_entry("Anna Bianchi or Carla Rossi [1].", "Who led it in 1991?", tied) is None


def test_an_entry_as_an_answer_names_it() -> None:
    (owners,) = dated_lists([OWNERS])
    assert [label(e) for e in owners] == [
        "James McMillan Gibson (1954–1964)",
        "Jacqueline Kennedy, Caroline Kennedy (1964–1965)",
        "Michael Whitney Straight and Nina G. Auchincloss (1965–1976)",
        "David W. Hudgens, who restored it (2017–present)",
    ]


# --- the check ---------------------------------------------------------------------------------

CHECKS = ("ground", "figures", "news_time", "timeline", "constraints", "verify")


def _desk(tmp_path: Path, reply: str, checks: tuple[str, ...] = CHECKS) -> tuple[Newsdesk, FakeChatModel]:
    llm = FakeChatModel(replies=[reply], verify_reply="No")  # verify, when asked, refuses
    # Relevance off: a bare list item ("Anatol Adamski , 1985-1990") shares no word with the question.
    settings = Settings(
        store=tmp_path / "store", answer_checks=checks, verify_min_support=0.5, answer_min_relevance=0
    )
    return Newsdesk(settings, llm=llm, embedder=HashEmbeddings()), llm


def _passages(*texts: str) -> list[Passage]:
    return [
        Passage(
            chunk_id=f"c{n}",
            article_id=f"a{n}",
            title="Federation of the Greens",
            text=t,
            start=0,
            end=len(t),
            score=1.0,
        )
        for n, t in enumerate(texts)
    ]


CHAIR = "Who was the chair of the Federation of the Greens from 1997 to 1999?"


def test_an_entry_that_misses_the_asked_years_gives_way_to_the_one_that_covers_them(
    clean_env: Path, tmp_path: Path
) -> None:
    desk, llm = _desk(tmp_path, "The chair from 1997 to 1999 was Franco Corleone [2].")
    answer = desk.answer_from(CHAIR, _passages("The party was founded in 1990.", GREENS))
    assert answer.answer == "Massimo Scalia (1997–1999) [1]." and not answer.abstained
    (cited,) = answer.citations
    assert cited.shown == 2 and any("Massimo Scalia" in cited.passage[s:e] for s, e in cited.highlights)
    assert llm.verify_calls == []  # the list's answer, not the model's: verify does not ask about it
    assert "timeline" in answer.timings.components


def test_without_the_check_the_wrong_holder_is_refused_only_by_chance(
    clean_env: Path, tmp_path: Path
) -> None:
    checks = tuple(c for c in CHECKS if c not in ("timeline", "verify"))
    desk, _ = _desk(tmp_path, "The chair from 1997 to 1999 was Franco Corleone [2].", checks)
    answer = desk.answer_from(CHAIR, _passages("The party was founded in 1990.", GREENS))
    assert not answer.abstained and "Franco Corleone" in answer.answer  # grounding and the time check pass it


def _answer(tmp_path: Path, reply: str, question: str, text: str) -> Answer:
    desk, _ = _desk(tmp_path, reply, ("ground", "timeline"))
    return desk.answer_from(question, _passages(text))


SPOKESPERSON = "Who was the spokesperson of the Greens from 1997 to 1998?"


@pytest.mark.parametrize(
    ("reply", "question", "text", "expected"),
    [
        # The named entry covers the asked span: it stands.
        (
            "Luigi Manconi was the spokesperson [1].",
            SPOKESPERSON,
            GREENS,
            "Luigi Manconi was the spokesperson [1].",
        ),
        # 1997 is in Monkiewicz's years and in Jamrożyk's: years alone cannot choose between them.
        (
            "Jan Monkiewicz was the CEO [1].",
            "Who was the CEO in 1997?",
            CEOS,
            "Jan Monkiewicz was the CEO [1].",
        ),
        # Half the span held: the entry holding all of it answers.
        (
            "Jan Monkiewicz was the CEO [1].",
            "Who was the CEO from 1997 to 1998?",
            CEOS,
            "Władysław Jamrożyk (1997–2000) [1].",
        ),
        # No year asked, or no answer given: nothing to hold it to.
        (
            "Anatol Adamski was the CEO [1].",
            "Who was the first CEO?",
            CEOS,
            "Anatol Adamski was the CEO [1].",
        ),
        ("The articles don't say.", "Who was the CEO in 2015?", CEOS, "The articles don't say."),
    ],
)
def test_what_the_list_makes_of_an_answer(
    clean_env: Path, tmp_path: Path, reply: str, question: str, text: str, expected: str
) -> None:
    assert _answer(tmp_path, reply, question, text).answer == expected


@pytest.mark.parametrize(
    ("reply", "question", "note"),
    [
        (
            "Anatol Adamski was the CEO [1].",
            "Who was the CEO in 2015?",
            "Anatol Adamski (1985–1990), not 2015",
        ),
        # Two entries cover 1997, the named one none of it: it is wrong whichever of them is right.
        (
            "Roman Fulneczek was the CEO [1].",
            "Who was the CEO in 1997?",
            "Roman Fulneczek (1993–1996), not 1997",
        ),
    ],
)
def test_an_entry_whose_years_miss_the_asked_ones_with_none_to_answer_instead_abstains(
    clean_env: Path, tmp_path: Path, reply: str, question: str, note: str
) -> None:
    answer = _answer(tmp_path, reply, question, CEOS)
    assert answer.abstained and is_abstention(answer.answer) and not answer.citations
    assert answer.answer.endswith(f"The list gives {note}.")
