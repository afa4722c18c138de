"""Check "verify": the model is asked whether a passage states its answer to exactly this question.

Grounding finds the answer's words in a passage; it cannot tell that the passage is about
another year, another edition or another person with the same name. The model can often see
that when asked outright. After the answer is written, the same conversation goes on with
"Does a passage state it as the answer to exactly this question …? Yes or No"
(``prompts/verify.txt``), and the probability of "Yes" on the reply's one token is the
answer's ``support``. Below the threshold (``settings.verify_min_support``, else the one measured
for the local model: 0.6 for the 1.5B; none for the 0.5B or a server) the answer abstains.

The follow-up repeats the answer's prompt word for word, so the local server reads only the
draft and the question from its cache (about a second), and first-token time is unchanged.
A model that fails here leaves the answer as it was (with a log line): a check must not
turn a good answer into an error.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from rag.answering.base import AnswerContext, Verdict

if TYPE_CHECKING:
    from rag.settings import Settings

log = logging.getLogger(__name__)


def yes_probability(message: Any) -> float | None:
    """The probability of "Yes" against "No" in a one-token reply; from its text when it carries
    no log-probabilities (1.0 or 0.0), ``None`` when it says neither."""
    from rag.logprobs import first_token_probabilities

    probabilities = first_token_probabilities(message, ("yes", "no"), fold=str.lower)
    if probabilities is not None:
        return probabilities[0]
    words = str(getattr(message, "content", "") or "").strip().lower().split()
    first = words[0].strip(".,!:*") if words else ""
    return 1.0 if first == "yes" else 0.0 if first == "no" else None


class Verify:
    name = "verify"

    def __init__(self, context: AnswerContext) -> None:
        self.context = context

    def run(self, verdict: Verdict) -> Verdict:
        from rag.chain import format_passages, verify_chain
        from rag.citations import ABSTENTION

        reading = verdict.reading
        variant = verdict.draft.variant
        if verdict.abstained or variant not in ("open", "open_cued") or not verdict.draft.text.strip():
            # Only an open answer the model wrote itself: multiple choice has its own probabilities
            # (the choose reader), and a reader of another kind gave the model no answer to stand by.
            return verdict
        inputs = {
            "question": reading.question,
            "context": format_passages(reading.passages),
            "draft": verdict.draft.text,
        }
        try:
            reply = self.context.chain(f"verify_{variant}", lambda llm: verify_chain(llm, variant)).invoke(
                inputs
            )
        except Exception as exc:  # noqa: BLE001 - any client error: the answer stands unverified
            log.warning("verify: the model could not be asked (%s); the answer stands unverified", exc)
            return verdict
        support = yes_probability(reply)
        verdict = replace(verdict, support=support)
        threshold = min_support(self.context.settings)
        if support is None or threshold is None or support >= threshold:
            return verdict
        return replace(verdict, text=ABSTENTION, abstained=True)


def min_support(settings: Settings) -> float | None:
    """``settings.verify_min_support``, else the threshold measured for the local model, else None."""
    from rag.models import MODELS

    if settings.verify_min_support is not None:
        return settings.verify_min_support
    return MODELS[settings.model].verify_min_support if settings.is_local_llm else None
