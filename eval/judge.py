"""Optional LLM-judged faithfulness (``--judge``): is the answer supported by the passages it cites?

Off by default and never needed by the other metrics. It talks to the same
OpenAI-compatible server the generator uses (``llm_base_url``/``llm_model``),
so it needs one; the in-process local model has no endpoint to share.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from rag.errors import ConfigError
from rag.prompts import load_prompt
from rag.settings import Settings

SCORES = {"SUPPORTED": 1.0, "PARTIAL": 0.5, "UNSUPPORTED": 0.0}
_VERDICT = re.compile(r"\b(UNSUPPORTED|SUPPORTED|PARTIAL)\b", re.IGNORECASE)
_PASSAGE_CHARS = 1500


def parse_verdict(text: str) -> tuple[str | None, float | None]:
    """The first verdict word in the judge's reply and its score; ``(None, None)`` when there is none."""
    match = _VERDICT.search(text or "")
    if not match:
        return None, None
    verdict = match.group(1).upper()
    return verdict, SCORES[verdict]


def judge_prompt(question: str, answer: str, passages: Sequence[str]) -> str:
    """The judge's prompt: numbered passages (each cut to 1,500 characters), question and answer."""
    numbered = "\n\n".join(f"[{i}] {p[:_PASSAGE_CHARS]}" for i, p in enumerate(passages, start=1)) or "(none)"
    return load_prompt("judge").format(passages=numbered, question=question, answer=answer)


class OpenAIJudge:
    """Calls ``/chat/completions`` of an OpenAI-compatible server; ``client`` may be injected for tests."""

    def __init__(
        self,
        *,
        base_url: str | None,
        model: str,
        api_key: str | None = None,
        timeout: float = 120.0,
        client: Any = None,
    ) -> None:
        if client is None:
            from openai import OpenAI

            client = OpenAI(base_url=base_url, api_key=api_key or "not-needed", timeout=timeout)
        self.client = client
        self.model = model

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIJudge:
        """The judge on the generator's server; ``ConfigError`` when there is no server to use."""
        if not settings.llm_base_url or not settings.llm_model:
            raise ConfigError(
                "--judge needs an OpenAI-compatible server: set llm_base_url and llm_model "
                "(e.g. --set llm_base_url=http://127.0.0.1:8080/v1 --set llm_model=NAME)"
            )
        return cls(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=settings.api_key(),
            timeout=settings.llm_timeout,
        )

    def __call__(self, question: str, answer: str, passages: Sequence[str]) -> dict[str, Any]:
        response = self.client.chat.completions.create(
            model=self.model,
            messages=[{"role": "user", "content": judge_prompt(question, answer, passages)}],
            temperature=0.0,
            max_tokens=10,
        )
        reply = response.choices[0].message.content or ""
        verdict, score = parse_verdict(reply)
        return {"verdict": verdict, "score": score, "reply": reply.strip()[:200]}
