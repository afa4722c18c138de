"""Reader "choose", for multiple choice: the probability of each option's letter, then the passages' say.

One token is generated; its top log-probabilities give each lettered option (and "none of
these") a probability, options that a passage states are favoured (``rag.picker``), and the
answer is written from the pick with the sentence that states it as its quote.
"""

from __future__ import annotations

from collections.abc import Iterator

from rag.answering.base import AnswerContext, Draft, Reading
from rag.errors import QuestionError


class ChooseReader:
    name = "choose"

    def __init__(self, context: AnswerContext) -> None:
        self.context = context

    def read(self, reading: Reading) -> Iterator[str | Draft]:
        from rag.chain import choose_chain, format_passages, prompt_chars
        from rag.choices import format_options
        from rag.picker import options_with_none, pick

        if not reading.options:
            raise QuestionError("the choose reader answers multiple-choice questions only")
        inputs = {
            "question": reading.question,
            "context": format_passages(reading.passages),
            "options": format_options(options_with_none(reading.options)),
        }
        size = prompt_chars("choose", inputs)
        settings = self.context.settings
        chosen = pick(
            self.context.chain("choose", choose_chain).invoke(inputs),
            reading.options,
            reading.question,
            [p.text for p in reading.passages],
            evidence_weight=settings.choice_evidence_weight,
            min_probability=settings.choice_min_probability,
        )
        yield chosen.text
        yield Draft(chosen.text, prompt_chars=size, quotes=chosen.quotes, probabilities=chosen.probabilities)
