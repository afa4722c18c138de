"""The open prompt separates what the asker already knows from what they ask."""

from __future__ import annotations

import pytest

from rag.chain import prompt_inputs, split_question
from rag.sentences import asks, last_asked


@pytest.mark.parametrize(
    ("question", "background", "ask"),
    [
        (
            "The mayor began closing libraries in May. Which library did she close this week?",
            "The mayor began closing libraries in May.",
            "Which library did she close this week?",
        ),
        (
            "A jersey is headed to auction. It was worn in 1998. How much?",
            "A jersey is headed to auction. It was worn in 1998.",
            "How much?",
        ),
        ("Who won the race? And by how much?", "", "Who won the race? And by how much?"),
        ("Who won the race?", "", "Who won the race?"),
        ("The Sky Eye telescope may have picked up:", "", "The Sky Eye telescope may have picked up:"),
        (
            "Floods hit Yellowstone. Which roads closed? Name two.",
            "Floods hit Yellowstone.",
            "Which roads closed? Name two.",
        ),
        (  # a question inside closing quotes still asks
            "He wrote a note. Whose “handwriting?”",
            "He wrote a note.",
            "Whose “handwriting?”",
        ),
    ],
)
def test_the_sentences_before_the_first_ask_are_background(question: str, background: str, ask: str) -> None:
    assert split_question(question) == (background, ask)


def test_open_prompts_get_a_background_line_and_others_the_whole_question() -> None:
    question = "Floods hit Yellowstone. Which roads closed?"
    assert prompt_inputs("open", {"question": question, "context": "c"}) == {
        "question": "Which roads closed?",
        "background": "Background: Floods hit Yellowstone.\n",
        "context": "c",
    }
    assert prompt_inputs("open_cued", {"question": "Which roads closed?"})["background"] == ""
    # Multiple choice keeps the whole question: the picker matches its words against the passages.
    assert prompt_inputs("choices", {"question": question}) == {"question": question}


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("How many troops are in Estonia? And in Poland?", "And in Poland?"),
        ("The mayor closed two libraries. Which did she close first?", "Which did she close first?"),
        (
            "Which politician did the peer call a “leader?” He said so.",
            "Which politician did the peer call a “leader?”",
        ),
        ("Name the winner.", "Name the winner."),
    ],
)
def test_the_last_sentence_that_asks_is_the_question_checks_read(question: str, asked: str) -> None:
    assert last_asked(question) == asked
    assert asks(asked) == asked.endswith(("?", "?”"))
