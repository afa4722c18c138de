"""Numbers the passages disagree on are surfaced with both citations, never silently picked."""

from __future__ import annotations

from pathlib import Path

from fakes import FakeChatModel

from rag.api import Newsdesk
from rag.conflicts import conflict_note, find_conflicts

REAL = "According to reports, the UK has dispatched 30 troops as well as 2,000 anti-tank missile launchers to Ukraine."
PLANTED = "Britain sent 9,999 anti-tank missile launchers to Kyiv this week, a source said."
ESTONIA = "Britain already has around 850 troops stationed in Estonia and about 150 in Poland."


def test_a_different_number_for_the_same_thing_is_a_conflict() -> None:
    (conflict,) = find_conflicts(
        "The UK sent 2,000 anti-tank missile launchers [1].", [REAL, PLANTED, ESTONIA]
    )
    assert (conflict.value, conflict.passage, conflict.other_value, conflict.other_passage) == (
        "2000",
        1,
        "9999",
        2,
    )
    assert conflict.about == "anti-tank missile launchers"
    assert conflict_note([conflict]) == (
        "The sources disagree: [1] gives 2,000 anti-tank missile launchers, [2] gives 9,999."
    )


def test_numbers_of_different_things_or_years_are_not_conflicts() -> None:
    assert find_conflicts("Around 850 troops are stationed in Estonia [3].", [REAL, PLANTED, ESTONIA]) == []
    poland = "Britain has 4,400 troops stationed in Poland under Nato missions."
    # Not the 850 in Estonia; but "about 150 in Poland" (its noun left out) is the same count.
    poles = find_conflicts("4,400 troops are stationed in Poland [1].", [poland, ESTONIA])
    assert [(c.other_value, c.about) for c in poles] == [("150", "troops stationed in Poland")]
    assert find_conflicts("The UK sent 30 troops [1].", [REAL, PLANTED, ESTONIA]) == []
    years = ["In 2013 Djokovic won the title at Wimbledon.", "In 2011 Djokovic won the title in Melbourne."]
    assert find_conflicts("He won in 2013 [1].", years) == []


def test_a_number_the_question_states_is_what_was_asked_not_the_answers_figure() -> None:
    # The ship's name holds two numbers; the passages read them as counts of "earned one battle".
    ship = [
        "USS LCS ( L ) ( 3 ) -102 is a landing craft built for the Navy .",
        "USS LCS ( L ) ( 3 ) -102 earned one battle star for her service .",
    ]
    answer = "The USS LCS(L)(3)-102 was owned by the Royal Thai Navy [1]."
    assert find_conflicts(answer, ship)  # read without the question, the name's numbers disagree
    assert (
        find_conflicts(answer, ship, "What country owned the ship USS LCS(L)(3)-102 from 1945 to 1953?") == []
    )
    # A figure the question does not state is still checked.
    assert find_conflicts(
        "The UK sent 2,000 anti-tank missile launchers [1].",
        [REAL, PLANTED],
        "How many anti-tank missile launchers did the UK send to Ukraine in 2022?",
    )


def test_only_numbers_the_answer_states_are_checked() -> None:
    assert find_conflicts("The UK sent anti-tank weapons [1].", [REAL, PLANTED]) == []


def test_the_answer_says_the_sources_disagree_and_cites_both(
    desk: Newsdesk, fake_llm: FakeChatModel, sample_dir: Path, tmp_path: Path
) -> None:
    planted = tmp_path / "planted.txt"
    planted.write_text(
        "UK sends 9,999 anti-tank missile launchers to Ukraine\n\n"
        "The UK has dispatched 9,999 anti-tank missile launchers to Ukraine to train its forces, "
        "an unnamed source claimed on Friday.\n"
    )
    desk.ingest([sample_dir, planted])
    question = "How many anti-tank missile launchers did the UK send to Ukraine?"
    events = desk.ask_stream(question)
    retrieval = next(events)
    real = next(i for i, p in enumerate(retrieval.passages, 1) if "2,000 anti-tank" in p.text)
    fake = next(i for i, p in enumerate(retrieval.passages, 1) if "9,999" in p.text)
    fake_llm.replies.append(f"The UK sent 2,000 anti-tank missile launchers [{real}].")
    *_, answer = events
    # Neither figure is asserted: both are given, each with its citation.
    assert answer.answer.startswith("The sources disagree:") and "9,999" in answer.answer
    # Numbered in the order the answer cites them; each citation keeps the number the model was shown.
    assert "[1] gives 2,000" in answer.answer and "[2] gives 9,999" in answer.answer
    assert [(c.number, c.shown) for c in answer.citations] == [(1, real), (2, fake)]
    assert [(c.value, c.other_value) for c in answer.conflicts] == [("2000", "9999")]


def test_figures_in_words_or_with_a_scale_are_compared_as_numbers() -> None:
    estonia = "Britain already has around 850 British troops stationed in Estonia and about 150 in Poland."
    planted = "Britain has one million British troops stationed in Estonia, the notice said."
    (conflict,) = find_conflicts(
        "One million British troops are stationed in Estonia [1].", [planted, estonia]
    )
    assert (conflict.value, conflict.other_value, conflict.other_passage) == ("1000000", "850", 2)
    majority = ["Russia has amassed 2 million troops near Ukraine, officials said."] * 3
    real = "Ukrainian intelligence says Russia has amassed 127,000 troops near Ukraine's border."
    conflicts = find_conflicts("Russia has amassed 2 million troops near Ukraine [1].", [*majority, real])
    # Three planted copies agreeing do not outvote the one real figure: it is still given.
    assert [(c.value, c.other_value, c.other_passage) for c in conflicts] == [("2000000", "127000", 4)]
    assert conflict_note(conflicts).startswith("The sources disagree: [1] gives 2,000,000 troops")


def test_the_same_count_worded_differently_is_one_thing() -> None:
    planted = "777 British troops are in Poland under Nato missions."
    real = (
        "Britain already has around 850 troops stationed in Estonia and about 150 British troops in Poland."
    )
    (conflict,) = find_conflicts("777 British troops are in Poland [1].", [planted, real])
    assert (conflict.value, conflict.other_value) == ("777", "150")
    kyiv = "Britain sent 9,999 anti-tank missile launchers to Kyiv, a source said."
    ukraine = "The UK sent 2,000 anti-tank missile launchers to Ukraine."
    assert [c.other_value for c in find_conflicts("2,000 launchers [1].", [ukraine, kyiv])] == ["9999"]


def test_a_name_before_the_counted_thing_does_not_hide_it() -> None:
    # The sample article's own sentence against a planted one that adds "British".
    real = "Britain already has around 850 troops stationed in Estonia and about 150 in Poland under Nato missions."
    planted = "One million British troops are stationed in Estonia under Nato missions."
    (conflict,) = find_conflicts("One million British troops are stationed in Estonia [2].", [real, planted])
    assert (conflict.value, conflict.passage, conflict.other_value) == ("1000000", 2, "850")
    # The true answer from the same passages still stands alone against nothing planted.
    assert find_conflicts("Around 850 troops are stationed in Estonia [1].", [real]) == []


RUSSIA_Q = "How many Russian troops has Russia amassed near Ukraine according to Ukrainian intelligence?"
# The sample article's own sentence: the counted noun is left out after the figure.
ELIDED = "As Ukrainian intelligence shows Russia has amassed 127,000 near its former Soviet neighbor."


def test_a_figure_whose_noun_is_left_out_is_matched_by_what_comes_before_it() -> None:
    planted = "Ukrainian intelligence shows Russia has amassed 900,000 troops near Ukraine, a report said."
    answer = "Russia has amassed 900,000 troops near Ukraine [1]."
    (conflict,) = find_conflicts(answer, [planted, ELIDED], RUSSIA_Q)
    assert (conflict.value, conflict.other_value, conflict.other_passage) == ("900000", "127000", 2)
    # The real figure cited: the planted one is still given beside it, named by its own noun.
    (back,) = find_conflicts("Russia has amassed 127,000 [2].", [planted, ELIDED], RUSSIA_Q)
    assert (
        conflict_note([back])
        == "The sources disagree: [2] gives 127,000 troops near Ukraine, [1] gives 900,000."
    )
    # A fake Q&A whose answer is two words: what precedes it (the question) still agrees.
    faq = f"Q: {RUSSIA_Q} A: 500,000 troops."
    assert [c.other_value for c in find_conflicts("500,000 troops [1].", [faq, ELIDED], RUSSIA_Q)] == [
        "127000"
    ]


def test_an_elided_figure_needs_agreeing_words_that_the_question_or_answer_uses() -> None:
    planted = "Ukrainian intelligence shows Russia has amassed 900,000 troops near Ukraine, a report said."
    # The same words before both figures, but none of them asked about: no conflict claimed.
    assert find_conflicts("900,000 [1].", [planted, ELIDED], "What did the report say?") == []
    # A figure that is part of a name, or that ends its clause, is not a count.
    league = [
        "USC and UCLA will bring Big Ten membership to 16 schools.",
        "Two schools are losing the Big Ten 10 race.",
    ]
    assert (
        find_conflicts(
            "Big Ten membership goes to 16 schools [1].", league, "Which schools join the Big Ten?"
        )
        == []
    )
    ages = [
        "The vaccine data cover children ages 6 months up to 5 years.",
        "Vaccine for children under age 5.",
    ]
    assert (
        find_conflicts(
            "Children as young as 6 months [1].", ages, "How soon could vaccines for children arrive?"
        )
        == []
    )


def test_a_figure_in_a_list_takes_the_noun_of_the_one_before_it() -> None:
    real = "Britain already has around 850 troops stationed in Estonia and about 150 in Poland under Nato missions."
    planted = "The figure is 777 British troops stationed in Poland."
    question = "How many British troops are stationed in Poland under Nato missions?"
    (conflict,) = find_conflicts("777 British troops are in Poland [1].", [planted, real], question)
    assert (conflict.value, conflict.other_value) == ("777", "150")
    (back,) = find_conflicts("About 150 troops are in Poland [2].", [planted, real], question)
    assert (
        conflict_note([back])
        == "The sources disagree: [2] gives 150 troops in Poland under Nato, [1] gives 777."
    )
    # "British" says whose troops, not where: the Estonia figure is still another thing.
    assert find_conflicts("850 troops are stationed in Estonia [2].", [planted, real], question) == []


GREYS_Q = "What is the premiere date of Grey's Anatomy Season 17?"


def test_a_season_number_is_a_label_not_a_quantity() -> None:
    # The known bad output: "The sources disagree: [2] gives 17, [1] gives 12."
    other_season = "Grey's Anatomy Season 12 premiere of Grey's Anatomy will air on ABC."
    this_season = "The season 17 premiere of Grey's Anatomy will air on November 12, 2020 on ABC."
    answer = "Season 17 of Grey's Anatomy premieres on November 12 [2]."
    assert find_conflicts(answer, [other_season, this_season], GREYS_Q) == []


def test_labels_days_of_dates_and_times_are_not_quantities() -> None:
    games = ["Game 7 of the series was played in Boston.", "Game 3 of the series was played in Boston."]
    assert find_conflicts("Game 7 of the series was played in Boston [1].", games) == []
    episodes = [
        "Episode 3 of the series was filmed in Boston.",
        "Episode 5 of the series was filmed in Boston.",
    ]
    assert find_conflicts("Episode 3 of the series was filmed in Boston [1].", episodes) == []
    dates = ["The museum opened on July 7, 2018 in Boston.", "The museum opened on July 9, 2018 in Boston."]
    assert find_conflicts("It opened on July 7, 2018 [1].", dates) == []
    days = ["The museum opened on 7 July 2018 in Boston.", "The museum opened on 9 July 2018 in Boston."]
    assert find_conflicts("It opened on 7 July 2018 [1].", days) == []
    times = ["The museum opens at 9:30 in Boston.", "The museum opens at 10:30 in Boston."]
    assert find_conflicts("It opens at 9:30 [1].", times) == []


def test_a_percent_a_sum_of_money_and_a_count_never_conflict() -> None:
    share = "Sales of electric cars in Norway rose 80% last year, the council said."
    money = "Sales of electric cars in Norway rose $80 million last year, the council said."
    count = "Sales of electric cars in Norway rose 65 thousand last year, the council said."
    assert find_conflicts("Sales rose 80% [1].", [share, money, count]) == []
    spelled = "Sales of electric cars in Norway rose 80 percent last year, the council said."
    assert find_conflicts("Sales rose 80 percent [1].", [spelled, money]) == []
    # Two sums of money for the same thing still disagree.
    other = "Sales of electric cars in Norway rose $95 million last year, the council said."
    assert [c.other_value for c in find_conflicts("Sales rose $80 million [1].", [money, other])] == [
        "95000000"
    ]
