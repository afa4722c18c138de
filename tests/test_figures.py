"""Check "figures": a "how many" answer leads with its figure and gives every figure the passages state."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import FakeChatModel, HashEmbeddings

from rag.api import Newsdesk
from rag.figures import Asked, about, answering_figures, is_figure_question
from rag.settings import Settings
from rag.types import Answer, Passage

# The sample article's own sentences.
AMASSED = (
    "According to my sources, the UK has dispatched 30 elite personnel to Ukraine this week to assist in the "
    "training of their forces, as well as 2,000 anti-tank missile launchers, as Ukrainian intelligence shows "
    "Russia has amassed 127,000 near its former Soviet neighbor."
)
FACING = (
    "“It’s a tiny number in any case; sending 30 instructors when they’re facing 100,000 Russians isn’t an "
    "augmentation of Ukrainian military capability,” he told me."
)
ESTONIA = (
    "Britain already has around 850 troops stationed in Estonia and about 150 in Poland under Nato missions."
)
BATTLE = (
    "It came as the American broadcaster CNN reported that battle groups of 1,000 troops each could be offered "
    "by the US, UK and some other Nato allies."
)
RUSSIANS_Q = "How many Russian troops are near Ukraine?"
LAUNCHERS_Q = "How many anti-tank missile launchers did the UK send to Ukraine?"
ESTONIA_Q = "How many British troops are stationed in Estonia?"


def _ask(tmp_path: Path, question: str, draft: str, texts: list[str], **settings: object) -> Answer:
    passages = [
        Passage(chunk_id=f"c{n}", article_id=f"a{n}", title="Report", text=t, start=0, end=len(t), score=1.0)
        for n, t in enumerate(texts, start=1)
    ]
    desk = Newsdesk(
        Settings(store=tmp_path / "store", **settings),  # type: ignore[arg-type]
        llm=FakeChatModel(replies=[draft]),
        embedder=HashEmbeddings(),
    )
    return desk.answer_from(question, passages)


def test_figures_answering_the_question_are_told_from_the_rest() -> None:
    assert is_figure_question(RUSSIANS_Q) and is_figure_question("How much did the repairs cost?")
    assert not is_figure_question("What is the premiere date of Grey's Anatomy Season 17?")
    texts = [AMASSED, FACING, ESTONIA, BATTLE]
    every = range(1, 5)
    # Not the UK's 30 personnel or 2,000 launchers: Russia's 127,000 (its noun left out) and 100,000 Russians.
    assert [(f.count.value, f.passage) for f in answering_figures(RUSSIANS_Q, texts, every)] == [
        ("127000", 1),
        ("100000", 2),
    ]
    # Not the 150 in Poland, nor battle groups of 1,000 troops offered by others.
    assert [f.count.value for f in answering_figures(ESTONIA_Q, texts, every)] == ["850"]
    assert [f.count.value for f in answering_figures(LAUNCHERS_Q, texts, every)] == ["2000"]
    poland = "How many troops does Britain have in Poland?"
    assert [f.count.value for f in answering_figures(poland, texts, every)] == ["150"]


def test_a_figure_buried_in_a_copied_sentence_leads_the_answer(tmp_path: Path) -> None:
    answer = _ask(tmp_path, RUSSIANS_Q, f"[1] {AMASSED}", [AMASSED])
    assert answer.answer == "127,000 Russian troops [1]."
    assert [c.number for c in answer.citations] == [1] and answer.claims[0].passages == (1,)
    launchers = _ask(tmp_path, LAUNCHERS_Q, f"[1] {AMASSED}", [AMASSED])
    assert launchers.answer == "2,000 anti-tank missile launchers [1]."
    # The real 0.5B model's answer: the figure inside, and the wrong side named.
    amassed = _ask(
        tmp_path, RUSSIANS_Q, "The UK has amassed 127,000 near its former Soviet neighbor [1].", [AMASSED]
    )
    assert amassed.answer == "127,000 Russian troops [1]."
    sent = _ask(tmp_path, LAUNCHERS_Q, "The UK sent 2,000 anti-tank missile launchers [1].", [AMASSED])
    assert sent.answer == "2,000 anti-tank missile launchers [1]."
    # The passage's words for the thing, as far as they speak of what was asked.
    [facing] = answering_figures(RUSSIANS_Q, [FACING], [1])
    assert about(facing.count, Asked.of(RUSSIANS_Q)) == "Russians"
    # The passage's "around" is kept: the figure is not exact.
    estonia = _ask(tmp_path, ESTONIA_Q, f"[1] {ESTONIA}", [ESTONIA, BATTLE])
    assert estonia.answer == "Around 850 troops stationed in Estonia [1]."


def test_two_figures_for_the_same_count_are_both_given(tmp_path: Path) -> None:
    answer = _ask(tmp_path, RUSSIANS_Q, f"[1] {AMASSED}", [AMASSED, FACING])
    assert answer.answer == "The sources disagree: [1] gives 127,000 Russian troops, [2] gives 100,000."
    assert [(c.number, c.shown) for c in answer.citations] == [(1, 1), (2, 2)]
    assert [(c.value, c.other_value) for c in answer.conflicts] == [("127000", "100000")]
    # In one passage, both are still said.
    both = _ask(tmp_path, RUSSIANS_Q, f"[1] {AMASSED}", [f"{AMASSED} {FACING}"])
    assert both.answer == "The sources disagree: [1] gives 127,000 Russian troops and also 100,000."


@pytest.mark.parametrize(
    ("question", "draft"),
    [
        (LAUNCHERS_Q, "2,000 anti-tank missile launchers [1]."),
        (LAUNCHERS_Q, "About 2,000 anti-tank missile launchers were sent [1]."),
        ("Who sent anti-tank missile launchers to Ukraine?", f"[1] {AMASSED}"),
    ],
)
def test_an_answer_leading_with_its_figure_or_to_another_question_is_left_alone(
    tmp_path: Path, question: str, draft: str
) -> None:
    answer = _ask(tmp_path, question, draft, [AMASSED])
    assert answer.answer == draft


def test_the_check_runs_by_default_and_can_be_left_out(tmp_path: Path) -> None:
    checks = Settings(store=tmp_path / "s").answer_checks
    assert checks[:2] == ("ground", "figures")  # right after grounding, before the time checks
    without = _ask(tmp_path, RUSSIANS_Q, f"[1] {AMASSED}", [AMASSED], answer_checks=("ground",))
    assert "127,000" in without.answer and not without.answer.startswith("127,000")


def test_a_follow_up_joined_with_the_question_before_asks_only_its_own_part(tmp_path: Path) -> None:
    # The search of a refused rewrite: two questions, one figure question and one that is not.
    joined = f"{ESTONIA_Q} And in Poland?"
    answer = _ask(tmp_path, joined, f"[1] {ESTONIA}", [ESTONIA])
    assert "and also 150" not in answer.answer and answer.conflicts == ()


AUCTION = (
    "A collector paid a record $4 million for a painting of a harbour at the sale on Friday. "
    "Bidding opened at $50,000 and closed at $4,000,250, the auction house said."
)


def test_a_question_naming_no_counted_thing_has_no_rivals(tmp_path: Path) -> None:
    """ "How much did the collector pay?" names nothing counted: the opening bid is not the price."""
    answer = _ask(tmp_path, "How much did the collector pay for the painting?", "$4 million [1].", [AUCTION])
    assert answer.conflicts == () and "disagree" not in answer.answer
    assert "4 million" in answer.answer


def test_the_same_figure_rounded_is_no_disagreement(tmp_path: Path) -> None:
    exact = FACING.replace("100,000", "127,400")
    answer = _ask(tmp_path, RUSSIANS_Q, f"[1] {AMASSED}", [AMASSED, exact])
    assert answer.conflicts == () and "disagree" not in answer.answer


def test_the_figure_keeps_the_words_the_answer_gave_it(tmp_path: Path) -> None:
    draft = "The collector paid $4 million for a painting of a harbour [1]."
    answer = _ask(tmp_path, "How much did the collector pay for the painting?", draft, [AUCTION])
    assert answer.answer.startswith("$4 million") and "4,000,000" not in answer.answer
