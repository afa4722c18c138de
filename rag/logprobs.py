"""The model's first reply token as probabilities over a few labels (the OpenAI API's ``logprobs``).

Both uses of one generated token read it this way: the ``choose`` reader's option letters
(``rag.picker``) and the ``verify`` check's Yes/No. Tokens such as ``B``, `` B``, ``(B`` or
``Yes.`` all name their label.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any


def _same(token: str) -> str:
    return token


def token_entries(message: Any) -> list[dict[str, Any]]:
    """The reply's tokens as the API sends them (``token``, ``logprob``, ``top_logprobs``); empty
    when the server sent no log-probabilities. A streamed piece carries the tokens it holds."""
    metadata = getattr(message, "response_metadata", None) or {}
    return list((metadata.get("logprobs") or {}).get("content") or [])


def first_token_probabilities(
    message: Any, labels: Sequence[str], fold: Callable[[str], str] = _same
) -> tuple[float, ...] | None:
    """Per label, the probability of the reply's first token naming it, renormalised over the labels.

    ``fold`` maps a token and the labels alike before comparing (``str.lower`` for Yes/No).
    ``None`` when the reply carries no log-probabilities (a server without them) or none of its
    top tokens names a label: the caller then reads the reply's text.
    """
    content = token_entries(message)
    if not content:
        return None
    wanted = [fold(label) for label in labels]
    mass = [0.0] * len(labels)
    for entry in content[0].get("top_logprobs") or [content[0]]:
        token = fold(str(entry.get("token", "")).strip().strip("()[]*:.,!"))
        if token in wanted:
            mass[wanted.index(token)] += math.exp(float(entry.get("logprob", -math.inf)))
    total = sum(mass)
    if total <= 0:
        return None
    return tuple(m / total for m in mass)
