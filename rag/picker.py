"""Multiple choice by scoring the options, not by reading a written answer.

A small model writing "B) … [2]" copies the prompt's example, wanders, or
abstains with the answer in front of it. Scoring is steadier: the model reads
the passages, question and lettered options once and newsdesk takes the
probability of each letter from its first token (the OpenAI API's
``logprobs``; llama.cpp serves them). A last option, "none of these", lets the
model say the passages hold no answer.

Then the passages have their say: an option whose words a passage states is
favoured, and the sentence that states it is what the answer cites, so the
citation is the sentence itself. With no option stated anywhere and the model
unsure, the answer abstains. The answer text is written here ("B) Ford [2]."),
so it can never be an echo of the prompt's example.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rag.choices import LETTERS
from rag.citations import ABSTENTION
from rag.logprobs import first_token_probabilities
from rag.sentences import sentence_spans
from rag.terms import content_words, normalize_answer

NONE_OPTION = "None of these: the passages don't say"


@dataclass(frozen=True)
class Support:
    """Where a passage states an option: passage number (1-based) and the sentence's span."""

    passage: int
    span: tuple[int, int]


@dataclass(frozen=True)
class Pick:
    """The decision: the option chosen (or ``None`` to abstain), the answer text and its quote."""

    choice: int | None
    text: str
    probabilities: tuple[float, ...]  # per option, then "none of these"; renormalised over letters
    supports: tuple[Support | None, ...]

    @property
    def quotes(self) -> dict[int, tuple[int, int]]:
        if self.choice is None or self.supports[self.choice] is None:
            return {}
        support = self.supports[self.choice]
        assert support is not None
        return {support.passage: support.span}


def options_with_none(choices: Sequence[str]) -> list[str]:
    """The options as shown to the model: the question's own, then "none of these" if a letter is left."""
    return [*choices, NONE_OPTION] if len(choices) < len(LETTERS) else list(choices)


def letter_probabilities(message: Any, count: int) -> tuple[float, ...] | None:
    """Per letter ``A…``, the probability of the model's first token naming it, renormalised.

    Tokens such as ``B``, `` B`` or ``(B`` all name B. ``None`` when the
    reply carries no log-probabilities (a server without them): the caller
    then reads the letter from the text.
    """
    return first_token_probabilities(message, LETTERS[:count])


def one_hot(index: int | None, count: int) -> tuple[float, ...]:
    """The letter read from the text as certainty (no log-probabilities to weigh it)."""
    return tuple(1.0 if i == index else 0.0 for i in range(count))


@dataclass(frozen=True)
class _Sentence:
    """A passage sentence as the picker compares it: where it is, its normalised text, its words."""

    support: Support
    plain: str  # " normalised text ", spaced at both ends for whole-word search
    words: frozenset[str]


def _sentences(passages: Sequence[str]) -> list[_Sentence]:
    """Every sentence of the passages, in order, split and normalised once for all the options."""
    return [
        _Sentence(
            Support(number, (start, end)),
            f" {normalize_answer(text[start:end])} ",
            frozenset(content_words(text[start:end])),
        )
        for number, text in enumerate(passages, start=1)
        for start, end in sentence_spans(text)
    ]


def _best(sentences: Sequence[_Sentence], wanted: set[str], stating: str = "") -> Support | None:
    """The first sentence sharing most of ``wanted``: among those stating ``stating`` (as whole
    words) when given, else among those sharing at least one word."""
    needle = normalize_answer(stating)
    best: tuple[int, Support] | None = None
    for sentence in sentences:
        if stating and (not needle or f" {needle} " not in sentence.plain):
            continue
        overlap = len(sentence.words & wanted)
        if (stating or overlap) and (best is None or overlap > best[0]):
            best = (overlap, sentence.support)
    return best[1] if best else None


def find_support(option: str, question: str, passages: Sequence[str]) -> Support | None:
    """The sentence stating ``option`` that shares most words with the question, earliest passage first."""
    return _best(_sentences(passages), content_words(question), stating=option)


def decide(
    probabilities: Sequence[float],
    supports: Sequence[Support | None],
    *,
    evidence_weight: float,
    min_probability: float,
) -> int | None:
    """The option to answer, or ``None`` to abstain.

    Each option's score is its log-probability plus ``evidence_weight`` when a
    passage states it. Abstain when the model puts "none of these" first and no
    option is stated, or when the chosen option is stated nowhere and the model
    gives it less than ``min_probability``.
    """
    count = len(supports)
    real = list(probabilities[:count])
    none = probabilities[count] if len(probabilities) > count else 0.0

    def score(i: int) -> float:
        return math.log(max(real[i], 1e-9)) + (evidence_weight if supports[i] is not None else 0.0)

    best = max(range(count), key=score)
    stated = any(s is not None for s in supports)
    if not stated and none >= max(real):
        return None
    if supports[best] is None and real[best] < min_probability:
        return None
    return best


def answer_text(choice: int | None, choices: Sequence[str], support: Support | None) -> str:
    """``B) Ford [2].``: the letter, the option as given, and the passage that states it."""
    if choice is None:
        return ABSTENTION
    option = choices[choice].rstrip(". ")
    marker = f" [{support.passage}]" if support else ""
    return f"{LETTERS[choice]}) {option}{marker}."


def pick(
    message: Any,
    choices: Sequence[str],
    question: str,
    passages: Sequence[str],
    *,
    evidence_weight: float,
    min_probability: float,
) -> Pick:
    """The whole decision from the model's reply to the choose prompt."""
    from rag.choices import parse_choice

    shown = options_with_none(choices)
    probabilities = letter_probabilities(message, len(shown))
    if probabilities is None:
        read = parse_choice(str(getattr(message, "content", "") or ""), shown)
        probabilities = one_hot(read, len(shown))
    sentences = _sentences(passages)
    wanted = content_words(question)
    supports = tuple(_best(sentences, wanted, stating=option) for option in choices)
    choice = decide(probabilities, supports, evidence_weight=evidence_weight, min_probability=min_probability)
    support = supports[choice] if choice is not None else None
    if choice is not None and support is None:
        # No sentence states the option: cite the one sharing most words with question and option.
        support = _best(sentences, content_words(f"{question} {choices[choice]}"))
    return Pick(
        choice=choice,
        text=answer_text(choice, choices, support),
        probabilities=tuple(probabilities),
        supports=tuple(support if i == choice else s for i, s in enumerate(supports)),
    )
