"""Question-set formats: our JSONL/CSV, RealTimeQA and MultiHop-RAG (tiny synthetic copies), detection."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from eval.formats import QuestionSetError, common, detect_format, load_corpus, load_questions
from eval.metrics import normalize_url

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "eval" / "questions" / "sample_articles.jsonl"


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


# ---------------------------------------------------------------- our formats


def test_jsonl_questions(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "set.jsonl",
        [
            {
                "id": "a",
                "question": "How many troops?",
                "answers": ["850", "around 850"],
                "sources": ["x"],
                "type": "number",
            },
            {"id": "b", "question": "One answer as a string?", "answers": "Giles"},
            {"id": "c", "question": "Capital of Australia?", "answers": []},
            {"id": "d", "question": "Flagged?", "answers": ["x"], "unanswerable": True},
            {"id": "e", "question": "Pick", "choices": ["Europe", "Asia"], "answer_index": 1, "type": "mc"},
            {"question": "No id"},
        ],
    )
    questions = load_questions(path)
    by_id = {q.id: q for q in questions}
    assert by_id["a"].answers == ("850", "around 850") and by_id["a"].sources == ("x",)
    assert by_id["a"].type == "number" and not by_id["a"].unanswerable
    assert by_id["b"].answers == ("Giles",) and by_id["b"].type is None and by_id["b"].type_label == "untyped"
    assert by_id["c"].unanswerable and by_id["c"].expected == ()
    assert by_id["d"].unanswerable and by_id["d"].expected == ()
    assert by_id["e"].answers == ("Asia",) and by_id["e"].is_multiple_choice
    assert by_id["q6"].unanswerable  # a missing id is numbered by position


def test_jsonl_json_array_is_the_same_format(tmp_path: Path) -> None:
    path = tmp_path / "set.json"
    path.write_text(json.dumps([{"id": "a", "question": "Q?", "answers": ["1"]}]), encoding="utf-8")
    assert detect_format(path) == "jsonl"
    assert [q.id for q in load_questions(path)] == ["a"]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"id": "a", "question": "Q1"}, {"id": "a", "question": "Q2"}], "appears twice"),
        ([{"id": "a", "question": ""}], "no text"),
        ([{"id": "a", "question": "Q", "choices": ["x"], "answer_index": 3}], "answer_index"),
    ],
)
def test_jsonl_errors(tmp_path: Path, rows: list[Any], message: str) -> None:
    with pytest.raises(QuestionSetError, match=message):
        load_questions(write_jsonl(tmp_path / "bad.jsonl", rows), "jsonl")


def test_jsonl_broken_line_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "question": "Q"}\n{not json\n', encoding="utf-8")
    with pytest.raises(QuestionSetError, match=r"bad.jsonl:2"):
        load_questions(path, "jsonl")


def test_csv_questions(tmp_path: Path) -> None:
    path = tmp_path / "set.csv"
    path.write_text(
        "id,question,answers,sources,type,choices,answer_index,unanswerable\n"
        "n1,How many troops in Estonia?,850|around 850,art1|https://x.com/a,number,,,\n"
        "u1,Capital of Australia?,,,unanswerable,,,\n"
        "u2,Flagged?,something,,,,,true\n"
        'm1,"Which one, really?",,,mc,Europe|Asia|Africa,2,\n',
        encoding="utf-8",
    )
    assert detect_format(path) == "csv"
    by_id = {q.id: q for q in load_questions(path)}
    assert by_id["n1"].answers == ("850", "around 850")
    assert by_id["n1"].sources == ("art1", "https://x.com/a")
    assert by_id["u1"].unanswerable and by_id["u1"].type == "unanswerable"
    assert by_id["u2"].unanswerable
    assert by_id["m1"].question == "Which one, really?"
    assert by_id["m1"].choices == ("Europe", "Asia", "Africa") and by_id["m1"].answer_index == 2
    assert by_id["m1"].answers == ("Africa",)


# ---------------------------------------------------------------- RealTimeQA

U1 = "https://www.example-news.com/2022/01/01/world/story-one/index.html"
U2 = "https://example-news.com/2022/01/01/world/story-two"
U3 = "https://empty.example.org/nothing"
U4 = "https://other.example.org/2022/01/07/story-four"


def _result(
    url: str, text: str, title: str | None = None, authors: Any = (), date: str | None = "2022/01/01"
) -> dict[str, Any]:
    record: dict[str, Any] = {"url": url, "text": text, "authors": list(authors), "publish_date": date}
    if title is not None:
        record["title"] = title
    return record


def make_realtimeqa(folder: Path) -> Path:
    """Two weeks; URLs repeat across questions, across gcs/gold and across weeks."""
    folder.mkdir(parents=True, exist_ok=True)
    write_jsonl(
        folder / "20220101_qa.jsonl",
        [
            {
                "question_id": "20220101_0",
                "question_date": "2022/01/01",
                "question_source": "CNN",
                "question_url": "https://q",
                "question_sentence": "Which continent will require a common charger?",
                "choices": ["Europe", "North America", "Asia", "Africa"],
                "answer": ["0"],
                "evidence": "x",
            },
            {
                "question_id": "20220101_1",
                "question_date": "2022/01/01",
                "question_source": "THE WEEK",
                "question_url": "https://q",
                "question_sentence": "Which show returns?",
                "choices": ["“Friends”", "“Squid Game”"],
                "answer": ["1"],
                "evidence": "",
            },
        ],
    )
    write_jsonl(
        folder / "20220101_gcs.jsonl",
        [
            {
                "question_id": "20220101_0",
                "search_time": "t",
                "search_result": [
                    _result(U1, "Short teaser about chargers.", "Story one - Example", ["Ann Lee"]),
                    _result(U2, "Story two says Squid Game is coming back for a second season.", "Story two"),
                ],
            },
            {
                "question_id": "20220101_1",
                "search_time": "t",
                "search_result": [
                    _result(U2, "Story two says Squid Game is coming back for a second season.", "Story two"),
                    _result(U3, "", "Empty page"),
                ],
            },
        ],
    )
    write_jsonl(
        folder / "20220101_gold.jsonl",
        [
            {
                "question_id": "20220101_0",
                "search_result": [
                    _result(
                        U1 + "#:~:text=charger",
                        "European regulators announced a plan. Europe will require a "
                        "single common charging standard for phones and other devices.",
                        None,
                        ["Ann Lee"],
                    ),
                ],
            },
            {"question_id": "20220101_1", "search_result": []},
        ],
    )
    write_jsonl(
        folder / "20220108_qa.jsonl",
        [
            {
                "question_id": "20220108_0",
                "question_date": "2022/01/08",
                "question_source": "USAtoday",
                "question_url": "https://q",
                "question_sentence": "What returns?",
                "choices": ["A thing", "B thing"],
                "answer": ["1"],
                "evidence": "",
            },
        ],
    )
    write_jsonl(
        folder / "20220108_gcs.jsonl",
        [
            {
                "question_id": "20220108_0",
                "search_time": "t",
                "search_result": [
                    _result(U2, "Story two says Squid Game is coming back for a second season.", "Story two"),
                    _result(
                        U4,
                        "Story four is about something else entirely, at some length.",
                        "Story four",
                        date=None,
                    ),
                ],
            },
        ],
    )
    write_jsonl(
        folder / "20220108_gold.jsonl",
        [
            {
                "question_id": "20220108_0",
                "search_result": [
                    _result(
                        U4, "Story four is about something else entirely, at some length.", None, date=None
                    )
                ],
            }
        ],
    )
    return folder


def test_realtimeqa_questions_of_one_week(tmp_path: Path) -> None:
    folder = make_realtimeqa(tmp_path / "rtqa")
    path = folder / "20220101_qa.jsonl"
    assert detect_format(path) == "realtimeqa"
    first, second = load_questions(path)
    assert first.id == "20220101_0" and first.question == "Which continent will require a common charger?"
    assert first.answers == ("Europe",) and first.answer_index == 0
    assert first.choices == ("Europe", "North America", "Asia", "Africa")
    assert first.type == "CNN"
    assert first.sources == (U1 + "#:~:text=charger",)
    assert second.answers == ("“Squid Game”",) and second.answer_index == 1 and second.sources == ()
    assert second.type == "THE WEEK"
    assert first.as_of == second.as_of == date(2022, 1, 1)  # question_date: asked as of that day


def test_realtimeqa_corpus_dedups_by_url_across_gcs_and_gold(tmp_path: Path) -> None:
    folder = make_realtimeqa(tmp_path / "rtqa")
    articles = load_corpus(folder / "20220101_qa.jsonl", "realtimeqa")
    assert articles is not None
    by_url = {normalize_url(a.url): a for a in articles}
    # U1 (gcs + gold, fragment aside), U2 (twice in gcs); U3 has no text
    assert set(by_url) == {normalize_url(U1), normalize_url(U2)}
    one = by_url[normalize_url(U1)]
    assert "single common charging standard" in one.text  # the longer (gold) text wins
    assert one.title == "Story one - Example"  # gold has no title: taken from the search result
    assert one.published is not None and one.published.isoformat() == "2022-01-01"
    assert one.author == "Ann Lee"
    assert len({a.id for a in articles}) == len(articles)


def test_realtimeqa_folder_takes_every_week(tmp_path: Path) -> None:
    folder = make_realtimeqa(tmp_path / "rtqa")
    assert detect_format(folder) == "realtimeqa"
    questions = load_questions(folder)
    assert [q.id for q in questions] == ["20220101_0", "20220101_1", "20220108_0"]
    assert questions[2].sources == (U4,)
    articles = load_corpus(folder)
    assert articles is not None
    assert sorted(normalize_url(a.url) for a in articles) == sorted(normalize_url(u) for u in (U1, U2, U4))
    # a gcs or gold file names its week too
    week = load_corpus(folder / "20220108_gcs.jsonl")
    assert week is not None
    assert {normalize_url(a.url) for a in week} == {normalize_url(U2), normalize_url(U4)}


# ---------------------------------------------------------------- MultiHop-RAG

M1 = "https://tech.example.com/2023/10/01/acme-launch"
M2 = "https://biz.example.com/2023/10/02/acme-results"


def make_multihop(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    evidence = {
        "author": "A",
        "source": "Tech",
        "category": "technology",
        "published_at": "2023-10-01T10:00:00+00:00",
        "fact": "Acme launched a phone.",
    }
    (folder / "MultiHopRAG.json").write_text(
        json.dumps(
            [
                {
                    "query": "Did Tech and Biz both report on Acme?",
                    "answer": "Yes",
                    "question_type": "comparison_query",
                    "evidence_list": [
                        evidence | {"title": "Acme launch", "url": M1},
                        evidence | {"title": "Acme results", "url": M2},
                    ],
                },
                {
                    "query": "What did Zed say in 2019?",
                    "answer": "Insufficient information.",
                    "question_type": "null_query",
                    "evidence_list": [],
                },
                {
                    "query": "Which company launched a phone?",
                    "answer": "Acme",
                    "question_type": "inference_query",
                    "evidence_list": [evidence | {"title": "Acme launch", "url": M1}],
                },
            ]
        ),
        encoding="utf-8",
    )
    article = {
        "title": "Acme launch",
        "author": "A",
        "source": "Tech",
        "published_at": "2023-10-01T10:00:00+00:00",
        "category": "technology",
        "url": M1,
        "body": "Acme launched a new phone on Sunday in Berlin.",
    }
    (folder / "corpus.json").write_text(
        json.dumps(
            [
                article,
                article
                | {
                    "title": "Acme results",
                    "source": "Biz",
                    "url": M2,
                    "published_at": "2023-10-02T08:00:00+00:00",
                    "body": "Acme reported record results after the phone launch.",
                },
                article | {"url": M1 + "/"},  # the same page again
            ]
        ),
        encoding="utf-8",
    )
    return folder


def test_multihop_questions(tmp_path: Path) -> None:
    folder = make_multihop(tmp_path / "mh")
    path = folder / "MultiHopRAG.json"
    assert detect_format(path) == "multihop-rag" and detect_format(folder) == "multihop-rag"
    comparison, null, inference = load_questions(path)
    assert comparison.answers == ("Yes",) and comparison.sources == (M1, M2)
    assert comparison.type == "comparison_query" and comparison.id == "mh0"
    assert null.unanswerable and null.expected == () and null.type == "null_query"
    assert inference.answers == ("Acme",) and inference.sources == (M1,)
    assert [q.id for q in load_questions(folder)] == ["mh0", "mh1", "mh2"]


def test_multihop_corpus_beside_the_questions(tmp_path: Path) -> None:
    folder = make_multihop(tmp_path / "mh")
    articles = load_corpus(folder / "MultiHopRAG.json")
    assert articles is not None and len(articles) == 2
    by_title = {a.title: a for a in articles}
    assert by_title["Acme launch"].published is not None
    assert by_title["Acme launch"].published.isoformat() == "2023-10-01"
    assert by_title["Acme results"].source == "Biz"
    assert by_title["Acme launch"].text.startswith("Acme launched a new phone")
    assert load_corpus(folder / "corpus.json") is not None


# ---------------------------------------------------------------- detection and corpora


def test_detect_format_rejects_the_unknown(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("hello", encoding="utf-8")
    with pytest.raises(QuestionSetError, match="cannot tell"):
        detect_format(tmp_path / "x.txt")
    with pytest.raises(QuestionSetError, match="no such file"):
        detect_format(tmp_path / "missing.jsonl")
    with pytest.raises(QuestionSetError, match="folder"):
        detect_format(tmp_path)
    with pytest.raises(QuestionSetError, match="unknown format"):
        load_questions(tmp_path / "x.txt", "xml")


def test_detect_realtimeqa_by_content(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "renamed.jsonl", [{"question_sentence": "Q?", "choices": [], "answer": []}])
    assert detect_format(path) == "realtimeqa"


def test_plain_article_files_are_left_to_ingest(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Some article.", encoding="utf-8")
    assert load_corpus(tmp_path) is None
    assert load_corpus(tmp_path / "a.txt") is None


def test_records_corpus(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "articles.jsonl",
        [
            {
                "title": "One",
                "text": "The first article body.",
                "url": "https://a.com/1",
                "date": "2022-01-02",
            },
            {
                "title": "One again",
                "content": "The first article body, longer version.",
                "url": "https://a.com/1/",
            },
            {"title": "Two", "body": "Second body.", "url": "https://a.com/2", "authors": ["X", "Y"]},
        ],
    )
    articles = load_corpus(path)
    assert articles is not None and len(articles) == 2
    one = next(a for a in articles if a.url and a.url.startswith("https://a.com/1"))
    assert "longer version" in one.text
    assert common.load_records_corpus(path)[1].author == "X, Y"


# ---------------------------------------------------------------- our sample set


def test_sample_set_is_complete() -> None:
    questions = load_questions(SAMPLE)
    assert len(questions) >= 22
    assert sum(q.unanswerable for q in questions) >= 4
    both = [q for q in questions if q.type == "multi-article"]
    assert len(both) >= 3 and all(len(q.sources) == 2 for q in both)
    assert all(q.sources for q in questions if not q.unanswerable)


def test_sample_set_sources_are_the_ids_of_the_sample_articles() -> None:
    articles_module = pytest.importorskip("rag.articles")
    files = sorted((REPO / "data" / "articles").glob("*.txt"))
    if not files:
        pytest.skip("sample articles not present")
    ids = {a.id for f in files for a in articles_module.parse_file(f)}
    sources = {s for q in load_questions(SAMPLE) for s in q.sources}
    assert sources <= ids
