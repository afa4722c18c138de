"""The typed values that cross module boundaries.

``Answer`` is what ``ask()`` returns and the only thing the UI and eval consume.
All models are frozen: an answer is a record of what happened, not a draft.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Article(_Frozen):
    """One parsed article with its metadata; ``text`` is the cleaned body."""

    id: str
    title: str
    text: str
    url: str | None = None
    published: date | None = None
    source: str | None = None
    author: str | None = None
    path: str | None = None
    content_hash: str = ""
    # Paged sources (PDF): ``(offset into text, 1-based page number)`` where each page with text
    # starts, in order; empty for formats without pages. Pages without text are absent.
    page_starts: tuple[tuple[int, int], ...] = ()


class Chunk(_Frozen):
    """A passage of an article; ``start``/``end`` are offsets into ``Article.text``."""

    id: str
    article_id: str
    index: int
    text: str
    start: int
    end: int


class Passage(_Frozen):
    """A retrieved chunk with its article metadata and retrieval score."""

    chunk_id: str
    article_id: str
    title: str
    text: str
    start: int
    end: int
    score: float
    url: str | None = None
    published: date | None = None
    source: str | None = None
    # The page (1-based) of a paged source (PDF) the passage is on; chunks never cross pages.
    page: int | None = None


class Citation(_Frozen):
    """A ``[n]`` marker of the answer resolved to the passage it names.

    ``number`` counts 1…n in the order the answer first cites each passage; ``shown`` is the
    passage's place in ``Answer.passages`` (retrieval order, the number the model was shown)."""

    number: int
    article_id: str
    title: str
    url: str | None
    published: date | None
    source: str | None
    passage: str
    start: int
    end: int
    chunk_id: str
    # Sentences of the passage that best support the answer (offsets into ``passage``).
    highlights: tuple[tuple[int, int], ...] = ()
    # The page (1-based) of a paged source (PDF) the passage is on.
    page: int | None = None
    shown: int = 0  # 1-based place in Answer.passages; 0 when not known


class Timings(_Frozen):
    """Seconds spent per stage; ``first_token`` is from the call to the first generated text."""

    condense: float = 0.0
    retrieve: float = 0.0
    generate: float = 0.0
    ground: float = 0.0
    first_token: float | None = None
    total: float = 0.0
    # Seconds per answering component by name (the reader, each check): see rag.answering.
    components: dict[str, float] = Field(default_factory=dict)


class _Wording(NamedTuple):
    """How ``Filters.describe`` words each filter: one for saying why no article matches, one brief."""

    between: str  # both dates
    since: str  # only the first
    until: str  # only the last
    as_of: str
    or_: str  # between sources
    separator: str  # between the filters


_FULL = _Wording(
    "published from {} to {}",
    "published on or after {}",
    "published on or before {}",
    "asked as of {}",
    " or ",
    ", ",
)
_BRIEF = _Wording("published {} to {}", "published from {}", "published until {}", "as of {}", ", ", " · ")


class Filters(_Frozen):
    """Restricts retrieval; dates are inclusive and compare against publication dates."""

    date_from: date | None = None
    date_to: date | None = None
    # News time: the question is asked as of this day. Later articles are left out (they did not
    # exist yet); the "recency" stage prefers articles just before it; answers to
    # questions about "now" say "as of" this day.
    as_of: date | None = None
    sources: tuple[str, ...] = ()
    article_ids: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not (self.date_from or self.date_to or self.sources or self.article_ids or self.as_of)

    def describe(self, *, brief: bool = False) -> str:
        """The filters in words ("" when there are none), in one of two wordings.

        The full one says why no article matches ("published on or before 2022-01-20, asked as
        of 2022-01-20, from a.test or b.test, among 2 chosen articles"): the last day is
        ``latest``, so an ``as_of`` day bounds the dates too. The brief one labels what an answer
        was found under ("published 2022-01-01 to 2022-01-20 · from a.test, b.test · as of
        2022-01-20"): the dates as asked, and no chosen articles (the answer's sources show them).
        """
        words = _BRIEF if brief else _FULL
        first, last = self.date_from, (self.date_to if brief else self.latest)
        dates = ""
        if first and last:
            dates = words.between.format(first.isoformat(), last.isoformat())
        elif first:
            dates = words.since.format(first.isoformat())
        elif last:
            dates = words.until.format(last.isoformat())
        as_of = words.as_of.format(self.as_of.isoformat()) if self.as_of else ""
        sources = ("from " + words.or_.join(self.sources)) if self.sources else ""
        n = len(self.article_ids)
        chosen = f"among {n} chosen article{'s' if n > 1 else ''}" if n and not brief else ""
        ordered = (dates, sources, as_of) if brief else (dates, as_of, sources, chosen)
        return words.separator.join(part for part in ordered if part)

    @property
    def latest(self) -> date | None:
        """The last publication day allowed: ``date_to`` or ``as_of``, whichever is earlier."""
        days = [d for d in (self.date_to, self.as_of) if d is not None]
        return min(days) if days else None


class Claim(_Frozen):
    """One sentence of an answer, the passages it cites, and the checker's verdict on it.

    ``supported``: its names and numbers appear in a cited passage;
    ``repointed``: its marker named a passage without its figure and was moved
    to the passage stating it; ``cited-by-checker``: the model gave no marker
    and the checker added the best-supporting passage; ``unsupported``: no
    cited passage holds its facts.
    """

    text: str
    passages: tuple[int, ...] = ()
    verdict: Literal["supported", "repointed", "cited-by-checker", "unsupported"] = "supported"


class Conflict(_Frozen):
    """Two passages giving different numbers for the same thing (``about``); both are cited."""

    about: str
    value: str
    passage: int
    other_value: str
    other_passage: int


# Why an answer abstained: "not_stated" (the passages found do not hold the answer) or
# "no_matching_articles" (the filters, such as a date range or "as of" day, left out every article).
AbstainReason = Literal["not_stated", "no_matching_articles"]


class Answer(_Frozen):
    """The result of one question: text, citations, the passages it was given, timings."""

    question: str
    answer: str
    abstained: bool
    citations: tuple[Citation, ...] = ()
    passages: tuple[Passage, ...] = ()
    # Markers the model wrote that name no passage, dropped from ``citations``.
    invalid_citations: tuple[int, ...] = ()
    # The question actually used for retrieval (a follow-up rewritten to stand alone).
    standalone_question: str | None = None
    model: str = ""
    timings: Timings = Field(default_factory=Timings)
    # Set when generation failed but retrieval worked: passages are still useful.
    error: str | None = None
    # The answer's sentences with their citations and the grounding checker's verdicts.
    claims: tuple[Claim, ...] = ()
    # Characters of the messages sent to the model (prompt size, for latency work).
    prompt_chars: int = 0
    # With ``choices``: the index of the option the answer picked (None: none, or abstained).
    choice: int | None = None
    # With the scoring reader (``choice_reader="score"``): the model's probability of each option's
    # letter, then of "none of these"; empty when the model wrote its answer.
    choice_probabilities: tuple[float, ...] = ()
    # Numbers the cited passage and another passage disagree on (the answer text says so too).
    conflicts: tuple[Conflict, ...] = ()
    # The model's own words before grounding: why an answer abstained, or what a marker first said.
    draft: str = ""
    # Set exactly when ``abstained``: see ``AbstainReason``.
    abstain_reason: AbstainReason | None = None
    # Check "verify": the model's probability that a passage states this answer to this question
    # (an abstention below ``verify_min_support`` keeps it); None when it was not asked.
    support: float | None = None
    # Each token of ``draft`` with the model's log-probability of it (empty: the server sent none).
    draft_logprobs: tuple[tuple[str, float], ...] = ()

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class Retrieval(_Frozen):
    """Streamed first by ``ask_stream``: the passages, before any text is generated."""

    question: str
    standalone_question: str
    passages: tuple[Passage, ...]
    seconds: float
    # Seconds per named retrieval stage, in pipeline order.
    stage_seconds: dict[str, float] = Field(default_factory=dict)
    # The day the question was asked as of (``Filters.as_of``), if any.
    as_of: date | None = None
    # The filters asked with, and whether they left out every article in the store.
    filters: Filters | None = None
    filters_match_nothing: bool = False


class IngestFailure(_Frozen):
    path: str
    reason: str


class IngestReport(_Frozen):
    articles_added: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    chunks_added: int = 0
    chunks_deleted: int = 0
    failed: tuple[IngestFailure, ...] = ()
    # Files read with a caveat worth knowing (bad bytes replaced, encoding guessed).
    warnings: tuple[IngestFailure, ...] = ()
    seconds: float = 0.0
