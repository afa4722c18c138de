"""Check "figures": the answer to "how many" or "how much" leads with the figure, and gives
every figure the passages state for it.

"How many Russian troops are near Ukraine?" got a whole copied sentence about UK troops with
127,000 buried in it, and the same article's "facing 100,000 Russians" unsaid. After
``ground``, a figure question's answer that states a figure answering it (``rag.figures``)
but does not open with it becomes "127,000 Russian troops [1]."; when the passages shown give
another figure of the same sort for the same thing, both are given with their citations, in
the words of ``rag.conflicts`` ("The sources disagree: [1] gives 127,000 Russian troops, [2]
gives 100,000."). An answer that already leads with its figure, or states none that answers
the question, is left as it is; so is one grounding already found disagreeing.
"""

from __future__ import annotations

import re
from dataclasses import replace

from rag.answering.base import AnswerContext, Verdict
from rag.figures import Figure


class Figures:
    name = "figures"

    def __init__(self, context: AnswerContext) -> None:
        self.context = context

    def run(self, verdict: Verdict) -> Verdict:
        from rag.conflicts import conflict_note
        from rag.figures import (
            Asked,
            about,
            answering_figures,
            is_figure_question,
            qualifier,
            stated,
            written_as,
        )
        from rag.sentences import last_asked
        from rag.types import Claim, Conflict

        # The last sentence asked: a follow-up searched joined with the question before it
        # ("How many British troops are in Estonia? And in Poland?") asks only its own part.
        question = last_asked(verdict.reading.question)
        if (
            verdict.abstained
            or verdict.conflicts
            or verdict.reading.options  # multiple choice: the pick is the answer
            or not verdict.numbers
            or not is_figure_question(question)
        ):
            return verdict
        passages = [p.text for p in verdict.reading.passages]
        given = stated(verdict.text)
        answering = answering_figures(question, passages, verdict.numbers)
        chosen = next((f for value in given for f in answering if f.count.value == value), None)
        if chosen is None:
            return verdict
        count, asked = chosen.count, Asked.of(question)
        thing = about(count, asked)
        # Rivals only for a question that names what it counts: "How much did the bidder pay?"
        # names nothing, so the bid it started at is not the same thing as the price paid.
        everywhere = answering_figures(question, passages, range(1, len(passages) + 1))
        rivals = _rivals(chosen, everywhere) if asked.things else []
        if rivals:
            conflicts = tuple(
                Conflict(
                    about=thing,
                    value=count.value,
                    passage=chosen.passage,
                    other_value=r.count.value,
                    other_passage=r.passage,
                )
                for r in rivals
            )
            text = conflict_note(conflicts)
        elif _leads(verdict.text, count.value):
            return verdict
        else:
            conflicts = ()
            figure = written_as(verdict.text, count.value) or count.written  # "$19 million" stays so
            qualified = " ".join(w for w in (qualifier(passages[chosen.passage - 1], count), figure) if w)
            text = f"{qualified[:1].upper()}{qualified[1:]} {thing}".rstrip() + f" [{chosen.passage}]."
        numbers = tuple(dict.fromkeys([chosen.passage, *(r.passage for r in rivals)]))
        # The rewritten sentence rests on the same passage: it keeps what grounding said of the
        # claim citing it (a marker the model put on the wrong passage stays "repointed").
        source = next((c for c in verdict.claims if chosen.passage in c.passages), None)
        claim = Claim(text=text, passages=numbers)
        if source is not None:
            claim = claim.model_copy(update={"verdict": source.verdict})
        return replace(
            verdict,
            text=text,
            numbers=numbers,
            claims=(claim,),
            conflicts=conflicts,
            cited_text=text,
        )


ROUNDING = 0.01  # two figures this close are one figure, rounded: "$19 million" and "$19,000,100"


def _same_figure(a: str, b: str) -> bool:
    x, y = float(a), float(b)
    return abs(x - y) <= ROUNDING * max(abs(x), abs(y))


def _rivals(chosen: Figure, figures: list[Figure]) -> list[Figure]:
    """Other figures of the same sort for the same thing, one per value, first found first;
    a figure within ``ROUNDING`` of one already seen is the same figure written another way."""
    seen = [chosen.count.value]
    rivals = []
    for f in figures:
        if f.count.kind == chosen.count.kind and not any(_same_figure(f.count.value, v) for v in seen):
            seen.append(f.count.value)
            rivals.append(f)
    return rivals


def _leads(text: str, value: str) -> bool:
    """The answer opens with ``value`` (after a word such as "about") and its first sentence
    states no other figure: "2,000 anti-tank missile launchers [1]." and "$4 million [1]."
    lead, "The UK has amassed 127,000 …" does not (and names the wrong side)."""
    from rag.figures import qualifier_words, stated
    from rag.markers import strip_markers
    from rag.sentences import sentence_spans

    plain = strip_markers(text).strip()
    spans = sentence_spans(plain)
    first = plain[: spans[0][1]] if spans else plain
    words = first.split()
    skip = next((len(q.split()) for q in qualifier_words() if first.lower().startswith(q + " ")), 0)
    # The figure may take two words ("$4 million"): the sentence's one figure, and it comes first.
    opening = words[skip] if words[skip:] else ""
    return bool(re.match(r"[$£€¥]?\d", opening)) and set(stated(first)) == {value}
