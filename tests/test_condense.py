"""Condense: a question that stands alone is searched as asked; a rewrite that answers instead is refused."""

from __future__ import annotations

import pytest
from fakes import FakeChatModel

from rag.api import Newsdesk
from rag.condense import is_question, standalone_question, stands_alone, usable_rewrite
from rag.types import Answer, Retrieval

LAUNCHERS_Q = "How many anti-tank missile launchers did the UK send to Ukraine?"
ESTONIA_Q = "How many British troops are stationed in Estonia?"
HISTORY = [(ESTONIA_Q, "Around 850 troops [1].")]


@pytest.mark.parametrize(
    "question",
    [
        LAUNCHERS_Q,
        "Who is the Defence Secretary of the UK?",
        "What did Boris Johnson tell the Commons on Tuesday?",
        # The chat's own follow-up: the 0.5B model gave it back unchanged, and joined with the
        # launchers question it was searched for launchers.
        "And how many troops does Britain have in Estonia?",
    ],
)
def test_a_question_naming_its_own_subject_stands_alone(question: str) -> None:
    assert stands_alone(question)


@pytest.mark.parametrize(
    "question",
    [
        "And what about France?",
        "how many did they send?",
        "And in Poland?",
        "What about Poland?",
        "Why?",
        "When did it happen?",
        "How many troops?",
        "And how many in Poland?",
    ],
)
def test_a_question_pointing_back_or_too_short_does_not(question: str) -> None:
    assert not stands_alone(question)


def test_a_statement_or_the_question_unchanged_is_no_rewrite() -> None:
    assert is_question("how many troops are in Poland") and not is_question("The UK sent 2,000 launchers.")
    assert not usable_rewrite("And in Poland?", "The UK has about 150 troops in Poland.")
    assert not usable_rewrite("And in Poland?", "and in Poland ?")
    assert not usable_rewrite("And in Poland?", "")
    assert usable_rewrite("And in Poland?", "How many British troops are stationed in Poland?")


def test_a_refused_rewrite_searches_the_previous_question_with_the_follow_up() -> None:
    asked: list[str] = []

    def rewrite() -> str:
        asked.append("rewrite")
        return "The UK sent 2,000 anti-tank missile launchers to Ukraine."

    assert standalone_question("And in Poland?", HISTORY, rewrite) == f"{ESTONIA_Q} And in Poland?"
    assert asked == ["rewrite"]
    # A question that stands alone is never sent to the model.
    assert standalone_question(LAUNCHERS_Q, HISTORY, rewrite) == LAUNCHERS_Q and asked == ["rewrite"]


def test_a_standalone_question_late_in_a_chat_is_searched_as_asked(
    desk: Newsdesk, fake_llm: FakeChatModel, sample_dir
) -> None:
    desk.ingest([sample_dir])
    # Were the model asked to rewrite, it would answer instead; it must not be asked.
    fake_llm.replies.extend(
        ["The UK sent 2,000 anti-tank missile launchers to Ukraine.", "The articles don't say."]
    )
    events = list(desk.ask_stream(LAUNCHERS_Q, history=HISTORY))
    retrieval, answer = events[0], events[-1]
    assert isinstance(retrieval, Retrieval) and isinstance(answer, Answer)
    assert retrieval.standalone_question == LAUNCHERS_Q and answer.standalone_question is None
    assert len(fake_llm.calls) == 1  # the answer only


def test_a_follow_up_rewritten_into_a_statement_is_refused(
    desk: Newsdesk, fake_llm: FakeChatModel, sample_dir
) -> None:
    desk.ingest([sample_dir])
    fake_llm.replies.extend(["The UK has about 150 troops in Poland.", "The articles don't say."])
    answer = desk.ask("And in Poland?", history=HISTORY)
    assert answer.standalone_question == f"{ESTONIA_Q} And in Poland?"
