"""From model text to checked citations: markers, abstentions, grounding, highlights."""

from __future__ import annotations

from datetime import date

import pytest

from rag.citations import (
    ABSTENTION,
    ParsedAnswer,
    build_citations,
    is_abstention,
    parse_answer,
    support_spans,
)
from rag.grounding import (
    HeuristicChecker,
    adds_to_question,
    attach_missing_citation,
    ground,
    is_grounded,
    relevance,
    verify_citations,
)
from rag.newstime import date_words
from rag.terms import key_terms
from rag.types import Passage

ESTONIA = (
    "Britain already has around 850 troops stationed in Estonia and about 150 in Poland under Nato missions."
)
LAUNCHERS = (
    "Talks continued in Geneva on Friday. The UK has dispatched 30 troops as well as 2,000 anti-tank "
    "missile launchers to Ukraine. Mr Lavrov described the talks as open and fruitful."
)


# --- markers ---------------------------------------------------------------------------------


def test_valid_markers_are_kept_in_order_of_first_use() -> None:
    parsed = parse_answer("About 850 troops [2], and 150 in Poland [1]. Again [2].", 3)
    assert parsed.numbers == (2, 1)
    assert parsed.invalid == ()
    assert not parsed.abstained
    assert parsed.text == "About 850 troops [2], and 150 in Poland [1]. Again [2]."


def test_out_of_range_markers_are_dropped_and_reported() -> None:
    parsed = parse_answer("The UK sent 2,000 launchers [4] [0].", 3)
    assert parsed.numbers == ()
    assert parsed.invalid == (4, 0)
    assert "[4]" not in parsed.text and "[0]" not in parsed.text
    assert parsed.text == "The UK sent 2,000 launchers."


def test_comma_lists_are_split_and_filtered() -> None:
    parsed = parse_answer("It was 850 [1, 3] or so [2,9].", 3)
    assert parsed.numbers == (1, 3, 2)
    assert parsed.invalid == (9,)
    assert parsed.text == "It was 850 [1][3] or so [2]."


def test_semicolon_lists() -> None:
    parsed = parse_answer("Yes [1; 2].", 2)
    assert parsed.numbers == (1, 2)
    assert parsed.text == "Yes [1][2]."


def test_adjacent_markers() -> None:
    parsed = parse_answer("Both say so [1][3].", 3)
    assert parsed.numbers == (1, 3)
    assert parsed.text == "Both say so [1][3]."


def test_no_markers() -> None:
    parsed = parse_answer("The UK sent 2,000 launchers.", 3)
    assert parsed == ParsedAnswer(
        text="The UK sent 2,000 launchers.", numbers=(), invalid=(), abstained=False
    )


def test_no_passages_makes_every_marker_invalid() -> None:
    parsed = parse_answer("It was 850 [1].", 0)
    assert parsed.numbers == () and parsed.invalid == (1,)


def test_years_in_brackets_are_not_markers() -> None:
    # Four digits is not a passage number pattern; the text is left alone.
    parsed = parse_answer("It happened in [2022] at last [1].", 2)
    assert parsed.numbers == (1,)
    assert "[2022]" in parsed.text


# --- abstentions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The articles don't say.",
        "The articles don\u2019t say.",  # curly apostrophe
        "The articles do not say.",
        "The article doesn't mention the capital.",
        "The passages do not contain that information.",
        "The context does not specify how many.",
        "The sources didn't say.",
        "I don't know.",
        "I cannot know that from these passages.",
        "There is no information about Canberra.",
        "That is not mentioned in the passages.",
        "",
        "   ",
    ],
)
def test_abstention_phrasings(text: str) -> None:
    assert is_abstention(text)
    parsed = parse_answer(text, 3)
    assert parsed.abstained and parsed.numbers == ()


@pytest.mark.parametrize(
    "text",
    [
        "The UK sent 2,000 anti-tank missile launchers [1].",
        "Britain has around 850 troops in Estonia [2].",
        "Keir Giles said the number was tiny [1].",
    ],
)
def test_answers_are_not_abstentions(text: str) -> None:
    assert not is_abstention(text)
    assert not parse_answer(text, 2).abstained


def test_abstention_with_markers_has_no_citations_but_reports_invalid() -> None:
    parsed = parse_answer("The articles don't say [1] [7].", 2)
    assert parsed.abstained
    assert parsed.numbers == ()
    assert parsed.invalid == (7,)


def test_empty_reply_becomes_the_standard_abstention() -> None:
    assert parse_answer("", 3).text == ABSTENTION


# --- grounding -------------------------------------------------------------------------------


def test_answer_from_memory_is_not_grounded() -> None:
    assert not is_grounded("Canberra [1].", "What is the capital of Australia?", [ESTONIA, LAUNCHERS])


def test_same_number_is_grounded() -> None:
    assert is_grounded("The UK sent 2,000 launchers [2].", "How many launchers?", [ESTONIA, LAUNCHERS])


@pytest.mark.parametrize(
    ("answer", "passage"),
    [
        ("The UK sent 2000 launchers.", "The UK sent 2,000 launchers."),
        ("The UK sent 2,000 launchers.", "The UK sent 2000 launchers."),
        ("Russia has 127,000 troops.", "Russia amassed 127,000 troops."),
        ("It cost 1,250,000 pounds.", "It cost 1250000 pounds."),
    ],
)
def test_numbers_match_with_or_without_thousands_separators(answer: str, passage: str) -> None:
    assert is_grounded(answer, "How many?", [passage])


@pytest.mark.parametrize(
    ("answer", "passage"),
    [
        ("1,000 troops.", "Russia amassed 127,000 troops."),  # a number inside another is not the same number
        ("5,000 troops.", "Russia amassed 500 troops."),
        ("12 troops.", "Russia amassed 127,000 troops."),
    ],
)
def test_different_numbers_are_not_grounded(answer: str, passage: str) -> None:
    assert not is_grounded(answer, "How many?", [passage])


def test_terms_from_the_question_do_not_count_as_new_facts() -> None:
    # "Estonia" is in the question, so only "850" must be found.
    assert is_grounded("Estonia: 850 troops.", "How many troops are in Estonia?", [ESTONIA])
    assert not is_grounded("Estonia: 990 troops.", "How many troops are in Estonia?", [ESTONIA])


def test_answer_without_facts_is_grounded() -> None:
    assert is_grounded("yes, they did so.", "Did they?", [ESTONIA])


def test_an_ordinal_in_the_passage_grounds_its_number() -> None:
    # Seen on real news: "75" was searched for as a whole word and "75th" did not count.
    passage = "The 75th annual Tony Awards took place at New York's Radio City Music Hall on Sunday."
    assert is_grounded("The 75th Tony Awards [1].", "Which awards show?", [passage])
    assert not is_grounded("The 76th Tony Awards [1].", "Which awards show?", [passage])


def test_a_figure_spelled_out_in_the_passage_grounds_its_digits() -> None:
    passage = "Seventeen-year-old Mack Rutherford set a world record Wednesday after landing in Sofia."
    assert is_grounded("Mack Rutherford is 17 years old [1].", "How old is he?", [passage])
    assert not is_grounded("Mack Rutherford is 18 years old [1].", "How old is he?", [passage])
    assert key_terms("Nine years in prison") == {"9"}


def test_an_answer_that_restates_the_question_abstains() -> None:
    # Seen on real news: the marker stands where the record holder's name should be.
    question = "Drake now has the most songs in Billboard Hot 100 history, breaking a record set by whom?"
    raw = "Drake now has the most songs in Billboard Hot 100 history, breaking a record set by [1]."
    grounded = ground(raw, question, [LAUNCHERS], HeuristicChecker())
    assert grounded.abstained
    assert grounded.text == ABSTENTION
    assert not adds_to_question(
        "As stated in passage [1], the UK has dispatched launchers.", "Has the UK dispatched launchers?"
    )


@pytest.mark.parametrize(
    ("question", "answer", "names"),
    [
        (
            "A peer spoke. Which politician did Lord Vale tell the BBC could lead the Conservative party because “he can spell?”",
            "Lord Vale told the BBC that he was a possible Conservative party leader [1].",
            False,
        ),
        (
            "Who did Lord Vale praise in the interview?",
            "Lord Vale praised a colleague in the interview [1].",
            False,
        ),
        ("Who did Lord Vale praise in the interview?", "He praised Ann Reyes [1].", True),
        ("Which company recalled its electric SUVs?", "Toyota recalled them [1].", True),
        ("Where did Lord Vale speak?", "He spoke in the studio [1].", True),  # not a who-question
        ("The coach who prayed after games won. What did the court rule?", "It ruled for him [1].", True),
    ],
)
def test_a_who_question_needs_a_name_the_question_does_not_hold(
    question: str, answer: str, names: bool
) -> None:
    assert adds_to_question(answer, question) is names


def test_an_answer_that_adds_a_fact_to_the_question_is_kept() -> None:
    grounded = ground(
        "The UK sent 2,000 launchers [1].",
        "How many launchers did the UK send?",
        [LAUNCHERS],
        HeuristicChecker(),
    )
    assert not grounded.abstained
    assert adds_to_question("Yes [1].", "Did the UK send launchers?")


def test_restating_is_a_fine_answer_to_true_or_false_and_multiple_choice() -> None:
    assert adds_to_question("The UK sent launchers [1].", "True or false: the UK sent launchers.")
    question = "Who sent 2,000 launchers?\nA) The UK\nB) France"
    grounded = ground("A) The UK [1].", question, [LAUNCHERS], HeuristicChecker(), choices=True)
    assert not grounded.abstained
    assert ground("A) The UK [1].", question, [LAUNCHERS], HeuristicChecker()).abstained


DELTA_Q = (
    "Passengers on a Delta Air Lines flight reported that the company offered them how much money "
    "to give up their seat on an oversold flight?"
)
FLIGHTS = (
    "More than 7,300 flights were delayed or canceled across the nation Sunday. About 1,400 flights "
    "entering, leaving or flying within the United States were canceled, according to FlightAware."
)


def test_a_figure_from_a_sentence_about_something_else_is_not_relevant() -> None:
    # Seen on the unanswerable slice: "$1,400" taken from "1,400 flights were canceled".
    answer = "Delta Air Lines offered passengers up to $1,400 to give up their seat [1]."
    assert relevance(answer, DELTA_Q, [FLIGHTS]) < 0.1
    assert ground(answer, DELTA_Q, [FLIGHTS], HeuristicChecker(), min_relevance=0.1).abstained
    assert not ground(answer, DELTA_Q, [FLIGHTS], HeuristicChecker()).abstained


def test_the_sentence_that_answers_the_question_is_relevant() -> None:
    offer = (
        "Delta offered passengers $10,000 each to give up their seats on an oversold flight from Michigan."
    )
    answer = "Delta offered them $10,000 [2]."
    assert relevance(answer, DELTA_Q, [FLIGHTS, offer]) > 0.5
    assert not ground(answer, DELTA_Q, [FLIGHTS, offer], HeuristicChecker(), min_relevance=0.1).abstained


def test_a_short_sentence_naming_the_question_s_subject_is_relevant() -> None:
    question = (
        "Baseball broadcasting legend Vin Scully died this week at the age of 94. Which team did he "
        "famously call games for during his long and remarkable career?"
    )
    passage = "Scully was the voice of the Los Angeles Dodgers for more than six decades."
    assert relevance("The Los Angeles Dodgers [1].", question, [passage]) == 1.0
    # Without the name, the same sentence shares one word in sixteen.
    assert relevance("The Los Angeles Dodgers [1].", question, [passage.replace("Scully", "He")]) < 0.1


def test_the_title_counts_towards_relevance() -> None:
    question = "Supermarkets in France are struggling to stock which condiment, sparking outrage?"
    passage = "Paris CNN Business. Hoping to bring some mustard home?"
    title = "Mustard shortage in French supermarkets sparks outrage"
    assert relevance("Mustard [1].", question, [passage]) < relevance(
        "Mustard [1].", question, [passage], [title]
    )


SPIRIT_Q = "Which airline announced a deal this week to buy Spirit Airlines?"
SPIRIT = "JetBlue Airways on Thursday announced it would purchase Spirit Airlines."


def test_a_date_read_from_the_passage_heading_is_grounded() -> None:
    # Seen on the dev weeks: the model wrote the heading's date back as "July 28" and the answer abstained.
    answer = "JetBlue Airways announced a deal to buy Spirit Airlines on July 28 [1]."
    shown = date_words(date(2022, 7, 28))
    assert shown == "Thursday 28 July 2022"
    assert ground(answer, SPIRIT_Q, [SPIRIT], HeuristicChecker()).abstained
    grounded = ground(answer, SPIRIT_Q, [SPIRIT], HeuristicChecker(), dates=[shown])
    assert not grounded.abstained and grounded.numbers == (1,)
    assert [c.verdict for c in grounded.claims] == ["supported"]
    # Another day is still made up.
    wrong = answer.replace("July 28", "July 21")
    assert ground(wrong, SPIRIT_Q, [SPIRIT], HeuristicChecker(), dates=[shown]).abstained


def test_a_date_from_the_heading_keeps_its_citation() -> None:
    # "28" also appears in the other passage's text: the marker must stay on the dated passage.
    other = "Spirit Airlines flies to 28 countries."
    answer = "JetBlue Airways announced a deal to buy Spirit Airlines on July 28 [1]."
    dates = [date_words(date(2022, 7, 28)), date_words(date(2022, 7, 1))]
    grounded = ground(answer, SPIRIT_Q, [SPIRIT, other], HeuristicChecker(), dates=dates)
    assert not grounded.abstained and grounded.numbers == (1,)


def test_a_figure_in_a_title_grounds_nothing() -> None:
    # Seen on the dev weeks: "plunged by 50%" taken from the title "News from around our 50 states".
    question = "The number of flying insects in Britain has plunged by what percentage since 2004?"
    passage = "The pesky, slow-flying insects lay their eggs in places with dying vegetation."
    answer = "The number of flying insects in Britain has plunged by 50% since 2004 [1]."
    title = "News from around our 50 states"
    assert ground(answer, question, [passage], HeuristicChecker(), titles=[title]).abstained


def test_relevance_exempts_multiple_choice() -> None:
    question = f"{DELTA_Q}\nA) $1,400\nB) $10,000"
    grounded = ground(
        "A) $1,400 [1].", question, [FLIGHTS], HeuristicChecker(), choices=True, min_relevance=0.5
    )
    assert not grounded.abstained


def test_key_terms_normalise_numbers_and_drop_stopwords() -> None:
    assert key_terms("The UK sent 2,000 launchers [3].") == {"uk", "2000"}


# --- attaching a missing citation ------------------------------------------------------------


def test_attach_missing_citation_picks_the_passage_with_the_answer() -> None:
    parsed = parse_answer("The UK sent 2,000 anti-tank missile launchers.", 2)
    fixed = attach_missing_citation(parsed, [ESTONIA, LAUNCHERS])
    assert fixed.numbers == (2,)
    assert fixed.text == "The UK sent 2,000 anti-tank missile launchers [2]."
    fixed = attach_missing_citation(parse_answer("Around 850 troops are in Estonia", 2), [LAUNCHERS, ESTONIA])
    assert fixed.numbers == (2,)
    assert fixed.text == "Around 850 troops are in Estonia [2]"


def test_attach_missing_citation_leaves_cited_abstained_and_unsupported_answers() -> None:
    cited = parse_answer("About 850 [1].", 2)
    assert attach_missing_citation(cited, [ESTONIA, LAUNCHERS]) is cited
    abstained = parse_answer("The articles don't say.", 2)
    assert attach_missing_citation(abstained, [ESTONIA, LAUNCHERS]) is abstained
    unsupported = parse_answer("Canberra.", 2)
    assert attach_missing_citation(unsupported, [ESTONIA, LAUNCHERS]).numbers == ()
    assert attach_missing_citation(parse_answer("About 850.", 0), []).numbers == ()


# --- highlights and citations ----------------------------------------------------------------


def test_support_spans_highlight_the_sentence_with_the_number() -> None:
    spans = support_spans(LAUNCHERS, "The UK sent 2,000 anti-tank launchers [1].")
    assert len(spans) == 1
    s, e = spans[0]
    assert LAUNCHERS[s:e] == (
        "The UK has dispatched 30 troops as well as 2,000 anti-tank missile launchers to Ukraine."
    )


def test_support_spans_prefers_the_number_over_shared_words() -> None:
    passage = "Troops in Poland numbered about 150 troops. Britain has 850 troops in Estonia."
    spans = support_spans(passage, "850 [1]")
    assert [passage[s:e] for s, e in spans] == ["Britain has 850 troops in Estonia."]


def test_support_spans_empty_when_nothing_is_shared() -> None:
    assert support_spans(LAUNCHERS, "Canberra") == ()
    assert support_spans(LAUNCHERS, "[1]") == ()


def passage(n: int, text: str) -> Passage:
    return Passage(
        chunk_id=f"art{n}:0:abc",
        article_id=f"art{n}",
        title=f"Title {n}",
        text=text,
        start=10 * n,
        end=10 * n + len(text),
        score=0.5,
        url=f"https://example.com/{n}",
        published=date(2022, 1, n),
        source="example.com",
    )


def test_build_citations_resolve_numbers_to_passages() -> None:
    passages = [passage(1, ESTONIA), passage(2, LAUNCHERS)]
    parsed = parse_answer("The UK sent 2,000 launchers [2] and has 850 troops in Estonia [1].", 2)
    citations = build_citations(parsed.numbers, parsed.text, passages)
    assert [c.number for c in citations] == [2, 1]
    first = citations[0]
    assert (first.article_id, first.title, first.url, first.published) == (
        "art2",
        "Title 2",
        "https://example.com/2",
        date(2022, 1, 2),
    )
    assert (first.passage, first.start, first.end, first.chunk_id) == (
        LAUNCHERS,
        20,
        20 + len(LAUNCHERS),
        "art2:0:abc",
    )
    assert first.highlights, "the supporting sentence is highlighted"
    for s, e in first.highlights:
        assert 0 <= s < e <= len(first.passage)


VERIFY_PASSAGES = [
    "The UK has dispatched 30 troops as well as 2,000 anti-tank missile launchers.",
    "The UK has sent anti-tank weapons to Ukraine.",
]


def test_verify_citations_repoints_a_marker_to_the_passage_holding_the_number() -> None:
    parsed = parse_answer("[2] The UK has dispatched 2,000 anti-tank missile launchers.", 2)
    fixed = verify_citations(parsed, VERIFY_PASSAGES, "How many launchers did the UK send?")
    assert fixed.numbers == (1,)
    assert fixed.text.startswith("[1] ")


def test_verify_citations_merges_markers_that_end_up_the_same() -> None:
    parsed = parse_answer("The UK sent 2,000 launchers [1][2].", 2)
    fixed = verify_citations(parsed, VERIFY_PASSAGES, "How many?")
    assert fixed.text == "The UK sent 2,000 launchers [1]." and fixed.numbers == (1,)


def test_verify_citations_keeps_correct_markers_and_answers_without_numbers() -> None:
    right = parse_answer("The UK sent 2,000 launchers [1].", 2)
    assert verify_citations(right, VERIFY_PASSAGES, "How many?") == right
    words = parse_answer("Anti-tank weapons [2].", 2)
    assert verify_citations(words, VERIFY_PASSAGES, "What did the UK send?") == words


def test_verify_citations_leaves_a_number_found_nowhere_alone() -> None:
    parsed = parse_answer("The UK sent 5,000 launchers [2].", 2)
    assert verify_citations(parsed, VERIFY_PASSAGES, "How many?").numbers == (2,)


RECALLS = [
    "Ford recalled 2.9 million vehicles on Tuesday over a faulty rear camera.",
    "Kia said the 2.9 million figure was the largest recall it had seen.",
]


def test_verify_citations_repoints_to_the_passage_holding_every_name_and_figure() -> None:
    # [2] holds the figure but not the maker: the claim rests on [1].
    parsed = parse_answer("Ford recalled 2.9 million vehicles [2].", 2)
    fixed = verify_citations(parsed, RECALLS, "Which automaker recalled 2.9 million vehicles this week?")
    assert fixed.text == "Ford recalled 2.9 million vehicles [1]." and fixed.numbers == (1,)
    # an answer with names only is re-pointed the same way
    named = parse_answer("Ford did [2].", 2)
    assert verify_citations(named, RECALLS, "Which automaker recalled vehicles?").numbers == (1,)


SENT = (
    "According to reports, the UK has dispatched 30 troops as well as 2,000 anti-tank missile "
    "launchers to Ukraine to train its forces."
)


@pytest.mark.parametrize(
    ("answer", "passage", "question", "abstains"),
    [
        # The model denies what no passage denies: nothing states it.
        ("France did not send any anti-tank missile launchers to Ukraine [1].", SENT, "And France?", True),
        ("No launchers were sent by France [1].", SENT, "And France?", True),
        ("France hasn't sent launchers [1].", SENT, "And France?", True),
        # A passage that denies grounds a denial.
        (
            "Germany did not send weapons, saying it would not arm a war zone [1].",
            "Berlin: Germany did not send weapons, saying it would not arm a war zone.",
            "What did Germany say about weapons for Ukraine?",
            False,
        ),
        # A question that denies may be answered in its words.
        (
            "Germany did not send weapons [1].",
            SENT + " Germany sent helmets.",
            "Who did not send weapons?",
            False,
        ),
        # Plain answers are untouched.
        (
            "The UK sent 2,000 anti-tank missile launchers [1].",
            SENT,
            "How many launchers did the UK send?",
            False,
        ),
    ],
)
def test_a_denial_no_cited_passage_states_abstains(
    answer: str, passage: str, question: str, abstains: bool
) -> None:
    result = ground(answer, question, [passage], HeuristicChecker())
    assert result.abstained is abstains, result.text
