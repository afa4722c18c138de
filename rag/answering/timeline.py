"""Check "timeline": an answer that names an entry of a dated list is held to that entry's years.

"Who chaired the Federation of the Greens from 1997 to 1999?" answered "Franco Corleone [1]"
from "Franco Corleone ( 1993–1997 ) , Massimo Scalia ( 1997–1999 )" names a real holder in a
passage that speaks of 1997, so grounding and ``constraints`` pass it. The list says
otherwise (``rag.timeline``):

- the named entry's years cover the asked year or span: the answer stands;
- another entry of the same list covers all of it, and only one: the answer becomes that
  entry, cited: "Massimo Scalia (1997–1999) [1]." It is the list's answer, not the model's,
  so ``verify`` does not ask the model about it;
- the named entry's years miss the span entirely and no entry covers it: the answer abstains
  and says what the list gives.

Runs after ``ground`` (it reads the grounded answer), before ``constraints``.
"""

from __future__ import annotations

from dataclasses import replace

from rag.answering.base import AnswerContext, Verdict


class Timeline:
    name = "timeline"

    def __init__(self, context: AnswerContext) -> None:
        self.context = context

    def run(self, verdict: Verdict) -> Verdict:
        from rag.citations import ABSTENTION
        from rag.constraints import question_constraints
        from rag.timeline import dated_lists, label, named_entry
        from rag.types import Claim

        if verdict.abstained or verdict.reading.options:
            return verdict
        question = verdict.reading.retrieval.question
        times = [c for c in question_constraints(question) if c.kind in ("year", "span")]
        if len(times) != 1:
            return verdict
        asked = times[0]
        first, last = asked.first, asked.last or asked.first
        lists = dated_lists([p.text for p in verdict.reading.passages])
        named = named_entry(verdict.text, question, lists)
        if named is None:
            return verdict
        index, entry = named
        share = entry.covers(first, last)
        if share == 1:
            return verdict
        covering = {e.text: e for e in lists[index] if e.covers(first, last) == 1}
        if len(covering) == 1:
            (instead,) = covering.values()
            text = f"{label(instead)} [{instead.passage}]."
            claim = Claim(text=text, passages=(instead.passage,))
            return replace(
                verdict,
                draft=replace(verdict.draft, variant=None),  # the list's answer: not the model's to verify
                text=text,
                numbers=(instead.passage,),
                claims=(claim,),
                conflicts=(),
                cited_text=text,
            )
        if share == 0:
            note = f" The list gives {label(entry)}, not {asked.text}."
            return replace(verdict, text=ABSTENTION + note, abstained=True)
        return verdict
