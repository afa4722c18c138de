"""Check "news_time": an answer is only as fresh as the reports it cites.

Asked as of a day (``Filters.as_of``), a question about "this week", "today" or "recently"
abstains when every cited report is older than that span (``stale_abstains``), and an answer
about the present ends "(as of <day>)" with the day of its newest cited report
(``rag.newstime``).
"""

from __future__ import annotations

from dataclasses import replace

from rag.answering.base import AnswerContext, Verdict


class NewsTime:
    name = "news_time"

    def __init__(self, context: AnswerContext) -> None:
        self.context = context

    def run(self, verdict: Verdict) -> Verdict:
        from rag.citations import ABSTENTION
        from rag.newstime import about_now, holds_as_of, is_stale

        if verdict.abstained:
            return verdict
        retrieval = verdict.reading.retrieval
        cited = [retrieval.passages[n - 1].published for n in verdict.numbers]
        if self.context.settings.stale_abstains and is_stale(retrieval.question, retrieval.as_of, cited):
            return replace(verdict, text=ABSTENTION, abstained=True)
        if retrieval.as_of and about_now(retrieval.question):
            day = holds_as_of(retrieval.as_of, cited)
            return replace(verdict, text=f"{verdict.text} (as of {day.day} {day:%B %Y})")
        return verdict
