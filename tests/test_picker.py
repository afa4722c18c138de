"""The scoring reader for multiple choice: letter probabilities, the passages' say, the written answer."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from fakes import FakeChatModel
from langchain_core.messages import AIMessage

from rag.api import Newsdesk
from rag.choices import LETTERS
from rag.citations import ABSTENTION
from rag.picker import (
    NONE_OPTION,
    Support,
    decide,
    find_support,
    letter_probabilities,
    options_with_none,
    pick,
)

PASSAGES = [
    "Ford said on Tuesday it would cut 3,000 jobs. The carmaker is based in Dearborn.",
    "General Motors reported higher sales. Ford shares fell after the job cuts were announced.",
]


def scored(**probabilities: float) -> AIMessage:
    """A reply whose first token carries these top log-probabilities, as the OpenAI API returns them."""
    top = [{"token": token, "logprob": math.log(p)} for token, p in probabilities.items()]
    first = max(top, key=lambda t: t["logprob"])["token"]
    return AIMessage(
        content=first, response_metadata={"logprobs": {"content": [{**top[0], "top_logprobs": top}]}}
    )


def test_letter_probabilities_sum_every_token_that_names_a_letter() -> None:
    message = scored(**{"B": 0.5, " B": 0.1, "(A": 0.2, "The": 0.15, "b": 0.05})
    probabilities = letter_probabilities(message, 3)
    assert probabilities == pytest.approx((0.2 / 0.8, 0.6 / 0.8, 0.0))


def test_no_logprobs_means_no_probabilities() -> None:
    assert letter_probabilities(AIMessage(content="B"), 3) is None
    assert letter_probabilities(scored(The=0.9, Answer=0.1), 3) is None


def test_the_supporting_sentence_is_the_one_stating_the_option_nearest_the_question() -> None:
    support = find_support("Ford", "Which carmaker said it would cut jobs?", PASSAGES)
    assert support is not None and support.passage == 1
    assert PASSAGES[0][support.span[0] : support.span[1]] == "Ford said on Tuesday it would cut 3,000 jobs."
    assert find_support("Toyota", "Which carmaker said it would cut jobs?", PASSAGES) is None
    # Whole words only: "GM" is not found inside another word.
    assert find_support("Dear", "Where is Ford based?", PASSAGES) is None


def test_a_stated_option_outweighs_a_slightly_likelier_unstated_one() -> None:
    stated = (None, Support(1, (0, 10)), None)
    assert decide((0.45, 0.35, 0.1, 0.1), stated, evidence_weight=1.0, min_probability=0.5) == 1
    assert decide((0.45, 0.35, 0.1, 0.1), stated, evidence_weight=0.0, min_probability=0.0) == 0
    # A confident model outweighs the bonus: its pick stands.
    assert decide((0.9, 0.05, 0.05, 0.0), stated, evidence_weight=1.0, min_probability=0.5) == 0


def test_it_abstains_when_nothing_is_stated_and_the_model_is_unsure_or_says_none() -> None:
    nothing = (None, None, None)
    assert decide((0.2, 0.1, 0.1, 0.6), nothing, evidence_weight=1.0, min_probability=0.1) is None
    assert decide((0.4, 0.3, 0.2, 0.1), nothing, evidence_weight=1.0, min_probability=0.5) is None
    assert decide((0.8, 0.1, 0.05, 0.05), nothing, evidence_weight=1.0, min_probability=0.5) == 0
    # "None of these" first but an option is stated: the stated option is answered.
    stated = (None, Support(2, (0, 5)), None)
    assert decide((0.1, 0.3, 0.1, 0.5), stated, evidence_weight=1.0, min_probability=0.5) == 1


def test_the_answer_is_written_from_the_pick_never_from_the_model_text() -> None:
    choices = ["Toyota", "Ford", "Honda"]
    result = pick(
        scored(A=0.2, B=0.7, C=0.1),
        choices,
        "Which carmaker said it would cut jobs?",
        PASSAGES,
        evidence_weight=1.0,
        min_probability=0.5,
    )
    assert result.choice == 1 and result.text == "B) Ford [1]."
    assert result.quotes == {1: (0, len("Ford said on Tuesday it would cut 3,000 jobs."))}
    assert result.probabilities == pytest.approx((0.2, 0.7, 0.1, 0.0))
    unsure = pick(
        scored(A=0.5, C=0.5),
        ["Toyota", "Nissan", "Honda"],
        "Who?",
        PASSAGES,
        evidence_weight=1.0,
        min_probability=0.6,
    )
    assert unsure.choice is None and unsure.text == ABSTENTION and unsure.quotes == {}


def test_the_none_option_needs_a_letter_left() -> None:
    assert options_with_none(["a", "b"]) == ["a", "b", NONE_OPTION]
    full = [str(i) for i in range(len(LETTERS))]
    assert options_with_none(full) == full


@pytest.fixture
def loaded(desk: Newsdesk, sample_dir: Path) -> Newsdesk:
    desk.ingest([sample_dir])
    return desk


def test_ask_with_choices_scores_letters_and_cites_the_stating_sentence(
    loaded: Newsdesk, fake_llm: FakeChatModel
) -> None:
    fake = fake_llm
    fake.replies.append(scored(A=0.3, B=0.6, C=0.05, D=0.05))
    question = "How many anti-tank missile launchers did the UK send to Ukraine?"
    answer = loaded.ask(question, choices=["850", "2,000", "30"])
    assert answer.choice == 1 and answer.answer.startswith("B) 2,000 [")
    assert answer.choice_probabilities == pytest.approx((0.3, 0.6, 0.05, 0.05))
    citation = answer.citations[0]
    start, end = citation.highlights[0]
    assert "2,000" in citation.passage[start:end]
    prompt = str(fake.calls[-1][-1].content)
    assert "A) 850\nB) 2,000\nC) 30\nD) None of these" in prompt and prompt.endswith("letter only.")


def test_a_server_without_logprobs_still_gets_its_letter_read(
    loaded: Newsdesk, fake_llm: FakeChatModel
) -> None:
    fake = fake_llm
    fake.replies.append("B")
    answer = loaded.ask(
        "How many anti-tank missile launchers did the UK send to Ukraine?", choices=["850", "2,000"]
    )
    assert answer.choice == 1 and answer.choice_probabilities == (0.0, 1.0, 0.0)


def test_the_free_reader_is_still_there(loaded: Newsdesk, fake_llm: FakeChatModel) -> None:
    loaded.settings = loaded.settings.model_copy(update={"choice_reader": "free"})
    fake = fake_llm
    fake.replies.append("B) The UK sent 2,000 launchers [1].")
    answer = loaded.ask(
        "How many anti-tank missile launchers did the UK send to Ukraine?", choices=["850", "2,000"]
    )
    assert answer.choice == 1 and answer.choice_probabilities == ()
    assert "None of these" not in str(fake.calls[-1][-1].content)
