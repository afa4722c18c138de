"""Reader "free": the model writes the cited answer itself, streamed token by token.

For a multiple-choice question (``choice_reader = "free"``) it is shown the lettered options
and writes its pick; otherwise the open prompt, with the abstention reply spelled out in the
user message for a local model that needs it (``AnswerContext.cued``).
"""

from __future__ import annotations

from collections.abc import Iterator

from rag.answering.base import AnswerContext, Draft, Reading


class FreeReader:
    name = "free"

    def __init__(self, context: AnswerContext) -> None:
        self.context = context

    def read(self, reading: Reading) -> Iterator[str | Draft]:
        from rag.chain import format_passages, generation_chain, prompt_chars
        from rag.choices import format_options

        inputs = {"question": reading.question, "context": format_passages(reading.passages)}
        variant = "open_cued" if self.context.cued else "open"
        if reading.options:
            variant, inputs["options"] = "choices", format_options(reading.options)
        size = prompt_chars(variant, inputs)
        chain = self.context.chain(
            f"{variant}_logprobs", lambda llm: generation_chain(llm, variant, logprobs=True)
        )
        parts: list[str] = []
        tokens: list[tuple[str, float]] = []
        for delta, logprobs in chain.stream(inputs):
            tokens.extend(logprobs)
            if delta:
                parts.append(delta)
                yield delta
        yield Draft("".join(parts), prompt_chars=size, logprobs=tuple(tokens), variant=variant)
