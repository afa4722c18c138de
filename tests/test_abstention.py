"""An abstention the model is unsure of is restarted from its likeliest answer; a sure one is kept."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import FakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk

from rag.abstention import answer_or_abstain
from rag.api import Newsdesk


def chunk(token: str, p: float, **others: float) -> AIMessageChunk:
    """A streamed token with the probability the model gave it and the tokens it passed over."""
    top = [{"token": token, "logprob": math.log(p)}] + [
        {"token": t.replace("_", " "), "logprob": math.log(q)} for t, q in others.items()
    ]
    entry = {"token": token, "logprob": math.log(p), "top_logprobs": top}
    return AIMessageChunk(content=token, response_metadata={"logprobs": {"content": [entry]}})


class Restarts:
    def __init__(self, *tokens: str) -> None:
        self.tokens = tokens
        self.openings: list[str] = []

    def __call__(self, opening: str) -> Iterator[AIMessageChunk]:
        self.openings.append(opening)
        return iter(AIMessageChunk(content=t) for t in self.tokens)


UNSURE = [chunk("The", 0.7, Yellow=0.25), chunk(" articles", 0.6, _Yellowstone=0.3), chunk(" don't", 0.99)]


def test_an_unsure_abstention_restarts_from_the_likeliest_answer() -> None:
    restart = Restarts("stone", " flooded [1].")
    # P(abstain) = 0.7 * 0.6 = 0.42; "Yellow" 0.25 beats "The Yellowstone" 0.7 * 0.3 = 0.21.
    text = "".join(answer_or_abstain(iter(UNSURE), restart, threshold=0.5))
    assert restart.openings == ["Yellow"] and text == "Yellowstone flooded [1]."


def test_a_sure_abstention_or_a_low_threshold_keeps_it() -> None:
    sure = [chunk("The", 0.95, Yellow=0.04), chunk(" articles", 0.9, _park=0.05), chunk(" don't say.", 1.0)]
    restart = Restarts("never")
    assert "".join(answer_or_abstain(iter(sure), restart, threshold=0.5)) == "The articles don't say."
    assert "".join(answer_or_abstain(iter(UNSURE), restart, threshold=0.4)) == "The articles don't"
    assert restart.openings == []


def test_answers_stream_unchanged_and_other_refusals_are_no_alternative() -> None:
    answer = [chunk("The", 0.9), chunk(" Tony", 0.8), chunk(" Awards [2].", 1.0)]
    assert "".join(answer_or_abstain(iter(answer), Restarts(), threshold=0.9)) == "The Tony Awards [2]."
    # The only other opening is another way of refusing: the abstention stands.
    refusing = [chunk("The", 0.6, I=0.3), chunk(" articles", 0.5, _passages=0.4)]
    assert "".join(answer_or_abstain(iter(refusing), Restarts("x"), threshold=0.9)) == "The articles"


def test_without_logprobs_nothing_changes() -> None:
    plain = [AIMessageChunk(content=t) for t in ("The", " articles", " don't say.")]
    assert "".join(answer_or_abstain(iter(plain), Restarts("x"), threshold=1.0)) == "The articles don't say."


@pytest.fixture
def loaded(desk: Newsdesk, sample_dir: Path) -> Newsdesk:
    desk.ingest([sample_dir])
    return desk


def test_ask_restarts_an_unsure_abstention_with_the_opening_as_the_assistant_message(
    loaded: Newsdesk, fake_llm: FakeChatModel
) -> None:
    loaded.settings = loaded.settings.model_copy(update={"abstain_confidence": 0.5})
    first = chunk("The", 0.4, **{"2": 0.35})
    fake_llm.replies.append(
        AIMessage(content="The articles don't say.", response_metadata=first.response_metadata)
    )
    fake_llm.replies.append(",000 anti-tank missile launchers [1].")
    answer = loaded.ask("How many anti-tank missile launchers did the UK send to Ukraine?")
    assert not answer.abstained and answer.answer.startswith("2,000 anti-tank missile launchers")
    restarted = fake_llm.calls[-1]
    assert isinstance(restarted[-1], AIMessage) and restarted[-1].content == "2"
    # Off (the default), the same reply is an abstention.
    loaded.settings = loaded.settings.model_copy(update={"abstain_confidence": 0.0})
    fake_llm.replies.append(
        AIMessage(content="The articles don't say.", response_metadata=first.response_metadata)
    )
    assert loaded.ask("How many anti-tank missile launchers did the UK send to Ukraine?").abstained
