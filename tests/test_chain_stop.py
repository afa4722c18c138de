"""A closed answer stream stops the model: nothing is generated for an answer nobody reads (Stop)."""

from __future__ import annotations

import pytest
from fakes import FakeChatModel

from rag.chain import generation_chain


@pytest.mark.parametrize("logprobs", [False, True])
def test_closing_the_generation_stream_stops_the_model(logprobs: bool) -> None:
    """Also when each piece comes with its tokens' log-probabilities (the free reader's stream)."""
    model = FakeChatModel(piece=1, replies=["x" * 500])
    stream = generation_chain(model, logprobs=logprobs).stream({"question": "q", "context": "c"})
    first = [next(stream) for _ in range(5)]
    assert first == ([("x", ())] * 5 if logprobs else ["x"] * 5)
    stream.close()
    assert len(model.produced) <= 6  # LangChain's own parser would have read all 500 for its trace


def test_the_whole_answer_still_streams_and_invokes() -> None:
    model = FakeChatModel(piece=2, replies=["The UK sent 2,000 [1].", "Twice [1]."])
    assert (
        "".join(generation_chain(model).stream({"question": "q", "context": "c"})) == "The UK sent 2,000 [1]."
    )
    assert generation_chain(model).invoke({"question": "q", "context": "c"}) == "Twice [1]."
