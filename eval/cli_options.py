"""Options shared by the eval commands (``run``, ``retrieval``, ``reader``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def check_half(half: str) -> None:
    from eval import halves

    try:
        halves.check(half)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


PipelinesOption = Annotated[
    str, typer.Option("--pipelines", help="ours, tutorial or ours,tutorial (side by side, same questions).")
]
TutorialStoreOption = Annotated[
    Path | None,
    typer.Option(
        help="The tutorial's store (default OUT/tutorial/store); an earlier one of the same articles is "
        "reused without ingesting again."
    ),
]
NewsTimeOption = Annotated[
    bool,
    typer.Option(
        "--news-time/--no-news-time",
        help="Ask each dated question (RealTimeQA's question date) as of its day: later articles are "
        "not seen. The tutorial pipeline has no such notion and ignores it.",
    ),
]
HalfOption = Annotated[
    str,
    typer.Option(
        "--half",
        help="tune | report | all: one fixed half of the set (by a salted sha256 of each question's id, "
        "whatever the order, --seed or --limit), so choices tuned on one half are reported on the other; "
        "--seed and --limit pick within it.",
    ),
]
CounterfactualOption = Annotated[
    bool,
    typer.Option(
        "--counterfactual",
        help="Counterfactual negatives: each question's years moved before its article's first year, or "
        "a dated question asked 28 days earlier, kept only where the corpus then holds no answer; "
        "scores abstention.",
    ),
]
UnanswerableOption = Annotated[
    bool,
    typer.Option(
        "--unanswerable",
        help="Remove the selected questions' gold and search-result articles (RealTimeQA) or snippets "
        "(realtimeqa-evidence) from the corpus and score abstention.",
    ),
]
