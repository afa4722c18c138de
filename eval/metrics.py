"""Pure scoring functions: each takes plain values and returns a number, a bool or ``None``.

``None`` means "not defined for this question" (no sources to hit, no answer to
find) and is left out of averages, so a set without ``sources`` does not drag
hit@k to zero. The exact definitions are in ``DEFINITIONS`` and are copied into
every report.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit

from rag.terms import normalize_answer as normalize  # one rule for answers, here and in rag
from rag.types import Answer


class _Located(Protocol):
    """What a passage and a citation share: enough to tell which article it is from."""

    article_id: str
    title: str
    url: str | None


def contains_answer(text: str | None, answers: Iterable[str]) -> bool:
    """True when the normalised ``text`` contains some normalised acceptable answer as whole words.

    Whole words: "150" is found in "about 150 troops" but not in "1500". An
    answer that normalises to nothing is ignored.
    """
    haystack = f" {normalize(text)} "
    for answer in answers:
        needle = normalize(answer)
        if needle and f" {needle} " in haystack:
            return True
    return False


def open_correct(
    text: str, abstained: bool, expected: Sequence[str], *, unanswerable: bool, error: bool = False
) -> bool:
    """An open answer's score: on a question with no answer, right when it abstains; else right
    when it answers, without error, and ``text`` holds an acceptable answer (``contains_answer``)."""
    if unanswerable:
        return abstained
    return not (abstained or error) and contains_answer(text, expected)


def token_f1(prediction: str | None, answers: Sequence[str]) -> float | None:
    """The best SQuAD-style token F1 between the normalised prediction and any acceptable answer.

    Tokens are the whitespace-separated words of ``normalize``; F1 is the harmonic
    mean of precision (shared tokens / prediction tokens) and recall (shared
    tokens / answer tokens), counting repeated tokens at most as often as both
    have them. ``None`` when there is no acceptable answer.
    """
    if not answers:
        return None
    pred = normalize(prediction).split()
    best = 0.0
    for answer in answers:
        gold = normalize(answer).split()
        if not gold or not pred:
            continue
        common = sum((Counter(pred) & Counter(gold)).values())
        if common:
            precision, recall = common / len(pred), common / len(gold)
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


def normalize_url(url: str | None) -> str:
    """The key under which two URLs name the same page, for scoring: rag's ``normalise_url`` made looser.

    rag's rule (``rag.articles.normalise_url``: lowercase scheme and host, no
    fragment, no trailing slash, no ``utm_*`` parameters) decides article ids and
    is kept as it is. Gold sources are looser than that on purpose: datasets
    give one page as ``http://www.x.com/a`` and ``https://x.com/a?b=1&a=2``
    (RealTimeQA gold URLs also carry ``#:~:text=`` fragments), so here the
    scheme and ``www.`` are dropped and the query is sorted as well. Text that
    is not a URL (a title given as a source) compares lowercased.
    """
    if not url:
        return ""
    if not urlsplit(url.strip()).netloc:  # not a URL: compare it as text
        return url.strip().lower()
    from rag.articles import normalise_url  # imported here: scoring needs no article parsers loaded

    parts = urlsplit(normalise_url(url))
    host = parts.netloc.lower().removeprefix("www.")
    query = urlencode(sorted(parse_qsl(parts.query)))
    return f"{host}{parts.path}" + (f"?{query}" if query else "")


def matches_source(item: _Located, sources: Iterable[str]) -> bool:
    """True when a passage or citation comes from one of the question's sources.

    A source matches when it equals the item's ``article_id``, its URL (both
    normalised with ``normalize_url``), or its title (both normalised with
    ``normalize``).
    """
    url = normalize_url(item.url)
    title = normalize(item.title)
    for source in sources:
        if not source:
            continue
        if source == item.article_id:
            return True
        if url and normalize_url(source) == url:
            return True
        if title and normalize(source) == title:
            return True
    return False


def _top(passages: Sequence[Any], k: int | None) -> Sequence[Any]:
    return passages if k is None else passages[:k]


def hit_at_k(passages: Sequence[_Located], sources: Sequence[str], k: int | None = None) -> float | None:
    """1.0 when one of the first ``k`` passages (all when ``k`` is None) matches a source, else 0.0.

    ``None`` when the question names no sources.
    """
    if not sources:
        return None
    return 1.0 if any(matches_source(p, sources) for p in _top(passages, k)) else 0.0


def reciprocal_rank(
    passages: Sequence[_Located], sources: Sequence[str], k: int | None = None
) -> float | None:
    """1/rank of the first of the top ``k`` passages that matches a source (rank 1 = first), 0.0 if none.

    ``None`` when the question names no sources. Averaged over questions it is MRR.
    """
    if not sources:
        return None
    for rank, passage in enumerate(_top(passages, k), start=1):
        if matches_source(passage, sources):
            return 1.0 / rank
    return 0.0


def answer_recall_at_k(passages: Sequence[Any], answers: Sequence[str], k: int | None = None) -> float | None:
    """1.0 when one of the first ``k`` passages' text contains an acceptable answer (``contains_answer``).

    ``None`` when there is no acceptable answer (unanswerable question). This is
    the retrieval measure for sets without ``sources``.
    """
    if not answers:
        return None
    return 1.0 if any(contains_answer(p.text, answers) for p in _top(passages, k)) else 0.0


def is_abstention(answer: Answer) -> bool:
    """Whether the desk declined to answer; the desk decides, eval does not re-guess it from the text."""
    return answer.abstained


def has_citation(answer: Answer) -> bool:
    """True when the answer cites at least one passage (valid ``[n]`` markers only)."""
    return bool(answer.citations)


def citation_supports(citation: Any, answers: Sequence[str]) -> bool:
    """ "Support": the cited passage's text contains an acceptable answer (``contains_answer``)."""
    return contains_answer(citation.passage, answers)


def citation_precision(citations: Sequence[Any], answers: Sequence[str]) -> float | None:
    """Share of the answer's citations whose passage supports it (``citation_supports``).

    Each citation counts once, even when two cite the same passage. ``None`` when
    there are no citations or no acceptable answers.
    """
    if not citations or not answers:
        return None
    return sum(citation_supports(c, answers) for c in citations) / len(citations)


def key_fact_cited(citations: Sequence[Any], answers: Sequence[str]) -> bool | None:
    """True when some cited passage contains an acceptable answer; False when none does or none is cited.

    ``None`` when there is no acceptable answer.
    """
    if not answers:
        return None
    return any(citation_supports(c, answers) for c in citations)


def percentile(values: Iterable[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100) by linear interpolation between closest ranks (numpy's default).

    ``None`` for no values; the value itself for one value.
    """
    data = sorted(v for v in values if v is not None and not math.isnan(v))
    if not data:
        return None
    if not 0 <= q <= 100:
        raise ValueError("q must be between 0 and 100")
    position = (len(data) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return data[low] + (data[high] - data[low]) * (position - low)


def mean(values: Iterable[float | bool | None]) -> float | None:
    """Mean of the defined values (``None`` left out; booleans count as 0/1); ``None`` if none is defined."""
    data = [float(v) for v in values if v is not None]
    return sum(data) / len(data) if data else None


DEFINITIONS: dict[str, str] = {
    "accuracy": "Share of answerable questions answered correctly. Open mode: the normalised answer contains "
    "some normalised acceptable answer as whole words (normalise = NFKC, plain quotes, lowercase, no "
    "thousands separators, no possessive 's or apostrophes, punctuation to spaces, no a/an/the, single spaces). "
    "Multiple-choice mode: the chosen option's index equals the correct index. Errors and abstentions "
    "count as wrong.",
    "f1": "Mean over answerable open-mode questions of the best SQuAD token F1 between the normalised "
    "answer and any acceptable answer.",
    "abstention_rate": "Share of all questions where the desk abstained (Answer.abstained).",
    "correct_abstention_rate": "Share of unanswerable questions (no acceptable answers) where the desk "
    "abstained.",
    "hit_at_k": "Share of questions with sources where one of the top-k retrieved passages comes from a "
    "source (same article id, same normalised URL, or same normalised title).",
    "mrr": "Mean over questions with sources of 1/rank of the first top-k passage from a source (0 if none).",
    "answer_recall_at_k": "Share of answerable questions where one of the top-k passages contains an "
    "acceptable answer (normalised containment); the retrieval measure when sources are missing.",
    "citation_rate": "Share of answers given (not abstained, no error) that cite at least one passage.",
    "citation_precision": "Mean over answerable, cited answers of the share of cited passages that "
    "support the answer, where 'support' means the cited passage contains an acceptable answer "
    "(normalised containment).",
    "key_fact_cited": "Share of answerable answers given (not abstained, no error) where some cited "
    "passage contains an acceptable answer; uncited answers count as not cited.",
    "faithfulness": "Only with --judge: mean LLM-judge score (1 supported, 0.5 partly, 0 unsupported) "
    "of answers given, judged against the passages they cite (all passages if none cited).",
    "latency": "p50/p95 in seconds of Answer.timings retrieve, generate and total over questions without "
    "an error; percentiles interpolate linearly between closest ranks.",
    "citation metrics of a pipeline without citations": "n/a: the tutorial pipeline has no citations, so "
    "citation_rate, citation_precision and key_fact_cited are undefined for it, not zero.",
}
