"""The values and protocols of the answer path: a reader writes a ``Draft``, checks turn it into a ``Verdict``.

Every reader and check sees only an ``AnswerContext`` (settings, the model's chains, the
grounding checker), never the ``Newsdesk`` that built it, so each can be written and tested
as one file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from rag.types import Claim, Conflict, Passage, Retrieval

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from rag.grounding import Checker
    from rag.settings import Settings

ChainBuilder = Callable[["BaseChatModel"], Any]


@dataclass(frozen=True)
class AnswerContext:
    """What readers and checks may use; built once per ``Newsdesk``.

    ``chain(name, build)`` returns the LangChain chain ``build(llm)``, built once and shared
    (the model loads on first use, so a context costs nothing until a question is read).
    """

    settings: Settings
    chain: Callable[[str, ChainBuilder], Any]
    checker: Checker
    cued: bool = False  # the local model needs the abstention reply spelled out in its user message


@dataclass(frozen=True)
class Reading:
    """What a reader is asked: the passages found for the question and, for multiple choice, the options."""

    retrieval: Retrieval
    options: tuple[str, ...] = ()

    @property
    def question(self) -> str:
        return self.retrieval.standalone_question

    @property
    def passages(self) -> tuple[Passage, ...]:
        return self.retrieval.passages


@dataclass(frozen=True)
class Draft:
    """A reader's answer before any check: its text with ``[n]`` markers, as the model wrote it."""

    text: str
    prompt_chars: int = 0  # characters of the messages sent (benchmarks report prompt size)
    quotes: Mapping[int, tuple[int, int]] = field(default_factory=dict)  # passage -> span it stated
    probabilities: tuple[float, ...] = ()  # multiple choice: per option, then "none of these"
    logprobs: tuple[tuple[str, float], ...] = ()  # each token written with its log-probability, if sent
    variant: str | None = None  # the answer prompt the model wrote it for ("open", …); None: not the model


class Reader(Protocol):
    """Yields the answer's text as it is written (deltas), then one ``Draft``."""

    name: str

    def read(self, reading: Reading) -> Iterator[str | Draft]: ...


@dataclass(frozen=True)
class Verdict:
    """Passed from check to check: the answer as it stands and what grounding found."""

    reading: Reading
    draft: Draft
    text: str
    abstained: bool = False
    numbers: tuple[int, ...] = ()  # cited passages, 1-based
    invalid: tuple[int, ...] = ()  # markers naming no passage
    claims: tuple[Claim, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    cited_text: str = ""  # the grounded text the citations' highlights are found for
    support: float | None = None  # check "verify": the model's probability that a passage states it


class Check(Protocol):
    """One step after the reader: grounding, news time, the question's constraints."""

    name: str

    def run(self, verdict: Verdict) -> Verdict: ...
