"""Abstain when the model is sure the passages hold no answer, not whenever it hesitates.

The small model opens "The articles don't say" on questions whose answer is in
front of it. Its own token probabilities say how sure it is: while the
streamed answer is still the abstention's opening, the probability of each
token it chose is multiplied in, and the alternatives it passed over are
kept. Once the opening is complete ("The articles"), an abstention that the
model gave less than ``threshold`` is dropped: the answer is restarted from
the likeliest opening that is not an abstention (the server continues an
assistant message it is given, and the prompt is still in its cache, so this
costs a few tokens, not a second reading). Anything else streams unchanged.

No log-probabilities (a server without them), no change: the answer streams
as the model writes it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from rag.citations import ABSTENTION

# The words that make an answer an abstention, and openings of other refusals the model uses.
OPENING = " ".join(ABSTENTION.split()[:2])  # "The articles"
REFUSALS = (
    *("The articles", "The passages", "The sources", "The context", "The text", "I don", "I cannot"),
    *("There is no", "There are no", "No information", "None of", "Unfortunately", "Sorry"),
)


@dataclass
class _Path:
    """The answer's opening so far: its text, probability, and the openings passed over."""

    text: str = ""
    probability: float = 1.0
    passed_over: list[tuple[float, str]] = field(default_factory=list)

    def add(self, token: str, entry: dict[str, Any] | None) -> None:
        if entry is not None:
            for alternative in entry.get("top_logprobs") or ():
                other = str(alternative.get("token", ""))
                if other != token:
                    chance = self.probability * math.exp(float(alternative.get("logprob", -math.inf)))
                    self.passed_over.append((chance, self.text + other))
            self.probability *= math.exp(float(entry.get("logprob", 0.0)))
        self.text += token

    def best_answer_opening(self) -> str | None:
        """The likeliest opening the model passed over that does not refuse."""
        openings = [(p, t) for p, t in self.passed_over if t.strip() and not _refusing(t)]
        return max(openings)[1] if openings else None


def _refusing(text: str) -> bool:
    start = text.lstrip()
    return any(r.startswith(start) or start.startswith(r) for r in REFUSALS)


def _first_logprob(chunk: Any) -> dict[str, Any] | None:
    content = ((getattr(chunk, "response_metadata", None) or {}).get("logprobs") or {}).get("content")
    return content[0] if content else None


def answer_or_abstain(
    chunks: Iterable[Any],
    restart: Callable[[str], Iterable[Any]],
    threshold: float,
) -> Iterator[str]:
    """Text deltas of the answer; an abstention the model is less sure of than ``threshold`` is restarted.

    ``chunks`` are the streamed message chunks (with ``logprobs`` in their
    metadata when the server gives them); ``restart(opening)`` streams the
    continuation of an answer that begins with ``opening``.
    """
    path = _Path()
    scored = False
    stream = iter(chunks)
    for chunk in stream:
        token = str(getattr(chunk, "content", "") or "")
        if not token:
            continue
        entry = _first_logprob(chunk)
        scored = scored or entry is not None
        path.add(token, entry)
        opening = path.text.lstrip()
        if OPENING.startswith(opening) and opening != OPENING:
            continue  # still possibly the abstention's opening: hold it back
        if not opening.startswith(OPENING):
            yield path.text  # an answer: everything streams from here on
            break
        # The abstention's opening is complete: keep it only if the model is sure enough.
        alternative = path.best_answer_opening() if scored else None
        if alternative is None or path.probability >= threshold:
            yield path.text
            break
        close = getattr(stream, "close", None)
        if close is not None:
            close()
        yield alternative
        yield from (str(c.content) for c in restart(alternative) if getattr(c, "content", ""))
        return
    else:
        if path.text:
            yield path.text  # the stream ended within the opening
        return
    yield from (str(c.content) for c in stream if getattr(c, "content", ""))
