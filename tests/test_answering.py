"""Answering as named components: a reader and checks from settings, each timed, each swappable.

Adding a reader or a check is a file plus a line: these tests add one of each (defined here,
named as ``module:Class`` or put into the registry) and see it used on a real store.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fakes import FakeChatModel, HashEmbeddings

import rag.answering
from rag.answering import AnswerContext, Draft, Reading, Verdict
from rag.api import Newsdesk
from rag.citations import ABSTENTION
from rag.errors import ConfigError
from rag.settings import Settings

LAUNCHERS_Q = "How many anti-tank missile launchers did the UK send to Ukraine?"


class Hedge:
    """A check added by a user: every answer that stands gets a caution appended."""

    name = "hedge"

    def __init__(self, context: AnswerContext) -> None:
        self.context = context

    def run(self, verdict: Verdict) -> Verdict:
        return verdict if verdict.abstained else replace(verdict, text=verdict.text + " (unverified)")


class Refuse:
    """A check that refuses everything: what a constraint check does when the question's year is missing."""

    name = "refuse"

    def __init__(self, context: AnswerContext) -> None:
        pass

    def run(self, verdict: Verdict) -> Verdict:
        return replace(verdict, text=ABSTENTION, abstained=True)


class Quoter:
    """A reader added by a user: answers with the first sentence of the passage holding a figure."""

    name = "quoter"

    def __init__(self, context: AnswerContext) -> None:
        self.context = context

    def read(self, reading: Reading) -> Iterator[str | Draft]:
        for n, passage in enumerate(reading.passages, 1):
            for sentence in passage.text.split(". "):
                if "2,000" in sentence:
                    text = f"{sentence.strip().rstrip('.')} [{n}]."
                    yield text
                    yield Draft(text, prompt_chars=0)
                    return
        yield Draft(ABSTENTION)


# The default checks, in order, written out: a change to the default is a change to these tests.
DEFAULT_CHECKS = ("ground", "figures", "news_time", "timeline", "constraints", "verify")


def _desk(
    settings: Settings, sample_dir: Path, llm: FakeChatModel | None = None, **update: object
) -> Newsdesk:
    desk = Newsdesk(settings.model_copy(update=update), llm=llm or FakeChatModel(), embedder=HashEmbeddings())
    desk.ingest([sample_dir])
    return desk


def test_the_default_answer_path_is_timed_per_component(settings: Settings, sample_dir: Path) -> None:
    llm = FakeChatModel(replies=["The UK sent 2,000 anti-tank missile launchers [1]."])
    desk = _desk(settings, sample_dir, llm)
    assert desk.answering.names == ["free", "choose", *DEFAULT_CHECKS]
    answer = desk.ask(LAUNCHERS_Q)
    assert set(answer.timings.components) == {"free", *DEFAULT_CHECKS}
    assert answer.timings.components["free"] == pytest.approx(answer.timings.generate)
    assert answer.timings.ground >= answer.timings.components["ground"] > 0


def test_a_check_named_as_module_class_runs_after_grounding(settings: Settings, sample_dir: Path) -> None:
    llm = FakeChatModel(replies=["The UK sent 2,000 anti-tank missile launchers [1]."])
    desk = _desk(settings, sample_dir, llm, answer_checks=("ground", "news_time", f"{__name__}:Hedge"))
    answer = desk.ask(LAUNCHERS_Q)
    assert answer.answer.endswith("(unverified)") and answer.citations
    assert "hedge" in answer.timings.components


def test_a_refusing_check_turns_a_cited_answer_into_an_honest_abstention(
    settings: Settings, sample_dir: Path
) -> None:
    llm = FakeChatModel(replies=["The UK sent 2,000 anti-tank missile launchers [1]."])
    desk = _desk(settings, sample_dir, llm, answer_checks=("ground", f"{__name__}:Refuse"))
    answer = desk.ask(LAUNCHERS_Q)
    assert answer.abstained and answer.answer == ABSTENTION
    assert not answer.citations and not answer.claims
    assert answer.draft.startswith("The UK sent 2,000")  # what the refusal replaced is kept


def test_a_reader_added_to_the_registry_is_chosen_by_name(
    settings: Settings, sample_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(rag.answering.READERS, "quoter", f"{__name__}:Quoter")
    llm = FakeChatModel()  # no reply queued: the model is never called
    desk = _desk(settings, sample_dir, llm, reader="quoter")
    answer = desk.ask(LAUNCHERS_Q)
    assert "2,000" in answer.answer and not answer.abstained
    (citation,) = answer.citations
    assert "2,000" in citation.passage
    assert set(answer.timings.components) == {"quoter", *DEFAULT_CHECKS}
    assert not llm.calls


@pytest.mark.parametrize(
    ("update", "message"),
    [
        ({"reader": "nonsense"}, "unknown reader 'nonsense'"),
        ({"choice_reader": "no_such_module:Reader"}, "cannot load reader"),
        ({"answer_checks": ("ground", "bogus")}, "unknown answer check 'bogus'"),
        ({"answer_checks": ("ground", "ground")}, "appears twice"),
    ],
)
def test_a_bad_component_name_is_one_clear_error(
    settings: Settings, sample_dir: Path, update: dict[str, object], message: str
) -> None:
    desk = _desk(settings, sample_dir, **update)
    with pytest.raises(ConfigError, match=message):
        desk.ask(LAUNCHERS_Q)


def test_checks_come_from_the_environment_as_a_list(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_ANSWER_CHECKS", "ground, news_time")
    assert Settings().answer_checks == ("ground", "news_time")
    monkeypatch.setenv("NEWSDESK_CHOICE_READER", "score")  # the scoring reader's old name
    assert Settings().choice_reader == "choose"


def test_without_passages_no_reader_runs_and_grounding_abstains(settings: Settings, sample_dir: Path) -> None:
    llm = FakeChatModel()
    desk = _desk(settings, sample_dir, llm)
    answer = desk.answer_from(LAUNCHERS_Q, [])
    assert answer.abstained and not llm.calls
    assert set(answer.timings.components) == set(DEFAULT_CHECKS)
