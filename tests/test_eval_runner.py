"""The eval runner, report, compare and CLI against a fake desk: offline and fast."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from eval import cli, resume, runner
from eval.compare import compare_markdown, compare_paths, compare_rows, compare_table, differing_settings
from eval.judge import OpenAIJudge, parse_verdict
from eval.questions import Question
from eval.report import render_markdown, worst_misses
from rag.types import Answer, Article, Citation, Passage, Timings


def passage(text: str, article_id: str, title: str | None = None) -> Passage:
    return Passage(
        chunk_id=f"{article_id}:0",
        article_id=article_id,
        title=title or f"Article {article_id}",
        text=text,
        start=0,
        end=len(text),
        score=0.5,
    )


def cite(number: int, p: Passage) -> Citation:
    return Citation(
        number=number,
        article_id=p.article_id,
        title=p.title,
        url=p.url,
        published=None,
        source=None,
        passage=p.text,
        start=p.start,
        end=p.end,
        chunk_id=p.chunk_id,
    )


def answer(
    text: str,
    *,
    passages: Iterable[Passage] = (),
    cited: Iterable[int] = (),
    abstained: bool = False,
    retrieve: float = 0.0,
    generate: float = 0.0,
) -> Answer:
    passages = tuple(passages)
    return Answer(
        question="",
        answer=text,
        abstained=abstained,
        passages=passages,
        citations=tuple(cite(n, passages[n - 1]) for n in cited),
        timings=Timings(retrieve=retrieve, generate=generate, total=retrieve + generate),
        model="fake",
    )


class FakeDesk:
    """Answers by question text from a table (an exception in the table is raised); records every call."""

    def __init__(self, answers: dict[str, Answer | Exception], settings: Any = None) -> None:
        self.answers = answers
        self.settings = settings
        self.calls: list[tuple[str, int | None]] = []
        self.choices: list[tuple[str, ...]] = []
        self.filters: list[Any] = []
        self.ingested: list[Article] = []

    def ask(
        self, question: str, *, k: int | None = None, choices: Sequence[str] = (), filters: Any = None
    ) -> Answer:
        self.calls.append((question, k))
        self.filters.append(filters)
        self.choices.append(tuple(choices))
        result = self.answers.get(question, answer("no idea"))
        if isinstance(result, Exception):
            raise result
        return result

    def ingest_articles(self, articles: Iterable[Article]) -> None:
        self.ingested += list(articles)

    def describe(self) -> dict[str, str]:
        return {"generator": "fake", "embedder": "fake"}


ESTONIA = passage("Britain already has around 850 troops stationed in Estonia.", "A")
POLAND = passage("About 150 are in Poland.", "P")
GILES = passage("Keir Giles of Chatham House said it was a basic mistake.", "B")
OTHER = passage("Unrelated text about the weather.", "X")

QUESTIONS = [
    Question(
        id="a", question="How many UK troops are in Estonia?", answers=("850",), sources=("A",), type="number"
    ),
    Question(
        id="b", question="Which Chatham House expert?", answers=("Keir Giles",), sources=("B",), type="person"
    ),
    Question(id="c", question="What is the capital of Australia?", answers=(), type="unanswerable"),
    Question(id="d", question="Who is Nato's secretary-general?", answers=("Stoltenberg",), type="person"),
    Question(id="e", question="Who is the President of Ukraine?", answers=(), type="unanswerable"),
]
ANSWERS: dict[str, Answer | Exception] = {
    # right, cites the supporting passage, source at rank 1
    "How many UK troops are in Estonia?": answer(
        "About 850 troops [1].", passages=[ESTONIA, POLAND], cited=[1], retrieve=0.1, generate=1.0
    ),
    # wrong, cites a passage without the answer, source at rank 2
    "Which Chatham House expert?": answer(
        "Ben Wallace [1].", passages=[OTHER, GILES], cited=[1], retrieve=0.2, generate=2.0
    ),
    # unanswerable and abstained: right
    "What is the capital of Australia?": answer(
        "The articles don't say.", passages=[OTHER], abstained=True, retrieve=0.3, generate=0.0
    ),
    # asking fails: recorded, not fatal
    "Who is Nato's secretary-general?": RuntimeError("server gone"),
    # unanswerable but answered, without citations: wrong
    "Who is the President of Ukraine?": answer("Someone.", passages=[OTHER], retrieve=0.4, generate=3.0),
}


def test_report_files_and_metrics_match_hand_computed_values(tmp_path: Path) -> None:
    desk = FakeDesk(ANSWERS)
    report = runner.run(QUESTIONS, desk, out_dir=tmp_path, settings={"k": 2, "model": "small"})
    for name in (
        "results.jsonl",
        "report.json",
        "report.md",
        "accuracy_by_type.png",
        "latency.png",
        "run.json",
    ):
        assert (tmp_path / name).exists(), name
    assert (tmp_path / "accuracy_by_type.png").read_bytes()[:4] == b"\x89PNG"
    saved = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert saved["settings"] == {"k": 2, "model": "small"} and saved["run"]["k"] == 2
    assert saved["desk"]["generator"] == "fake"
    overall = saved["metrics"]["overall"]
    assert overall == report["metrics"]["overall"]
    expected = {
        "questions": 5,
        "answerable": 3,
        "unanswerable": 2,
        "multiple_choice": 0,
        "errors": 1,
        "accuracy": 1 / 3,  # a right; b wrong; d failed
        "f1": (0.5 + 0.0 + 0.0) / 3,  # "about 850 troops" vs "850" = 0.5
        "abstention_rate": 1 / 5,
        "correct_abstention_rate": 1 / 2,
        "hit_at_k": 1.0,  # a and b have sources, both retrieved
        "mrr": (1 + 1 / 2) / 2,
        "answer_recall_at_k": 1.0,
        "citation_rate": 2 / 3,  # a, b, e answered; e cites nothing
        "citation_precision": (1.0 + 0.0) / 2,
        "key_fact_cited": (1 + 0) / 2,  # e is unanswerable: undefined
        "faithfulness": None,
        "retrieve_p50": 0.25,
        "retrieve_p95": 0.385,
        "generate_p50": 1.5,
        "generate_p95": 2.85,
    }
    for name, value in expected.items():
        assert overall[name] == pytest.approx(value), name
    by_type = saved["metrics"]["by_type"]
    assert set(by_type) == {"number", "person", "unanswerable"}
    assert by_type["number"]["accuracy"] == 1.0 and by_type["person"]["accuracy"] == 0.0
    assert by_type["unanswerable"]["correct_abstention_rate"] == 0.5
    records = {r["id"]: r for r in saved["questions"]}
    assert records["a"]["correct"] and records["a"]["rr"] == 1.0 and records["a"]["citations"][0]["supports"]
    assert records["b"]["rr"] == 0.5 and records["b"]["citation_precision"] == 0.0
    assert records["d"]["error"] == "RuntimeError: server gone" and not records["d"]["correct"]
    assert records["c"]["correct"] and records["c"]["hit_at_k"] is None
    assert records["a"]["timings"]["retrieve"] == 0.1 and "wall" in records["a"]["timings"]
    assert records["a"]["passages"][0]["from_source"] is True


def test_report_markdown_lists_worst_misses(tmp_path: Path) -> None:
    report = runner.run(QUESTIONS, FakeDesk(ANSWERS), out_dir=tmp_path, plots=False)
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "## Summary" in markdown and "| accuracy | 33.3% |" in markdown
    assert "Which Chatham House expert?" in markdown and "Ben Wallace" in markdown
    assert "should abstain" in markdown  # e answered an unanswerable question
    assert "RuntimeError: server gone" in markdown
    assert "support" in markdown  # definitions are included
    ids = [r["id"] for r in worst_misses(report["questions"])]
    assert set(ids) == {"b", "e"}  # the failed question is listed under errors instead
    assert render_markdown(report) == markdown
    assert not (tmp_path / "latency.png").exists()


def test_resume_asks_only_the_remaining_questions(tmp_path: Path) -> None:
    first = FakeDesk(ANSWERS)
    runner.run(QUESTIONS, first, out_dir=tmp_path, limit=2, plots=False)
    assert [q for q, _ in first.calls] == [QUESTIONS[0].question, QUESTIONS[1].question]

    second = FakeDesk(ANSWERS | {"Who is Nato's secretary-general?": answer("Jens Stoltenberg.")})
    seen: list[tuple[int, int]] = []
    report = runner.run(
        QUESTIONS,
        second,
        out_dir=tmp_path,
        plots=False,
        progress=lambda done, total, _: seen.append((done, total)),
    )
    assert [q for q, _ in second.calls] == [q.question for q in QUESTIONS[2:]]
    assert seen[0] == (2, 5) and seen[-1] == (5, 5)
    assert [r["id"] for r in report["questions"]] == ["a", "b", "c", "d", "e"]
    assert report["metrics"]["overall"]["errors"] == 0

    # a question that failed is asked again; the ones that worked are not
    third = FakeDesk(ANSWERS)
    runner.run(QUESTIONS, third, out_dir=tmp_path / "again", plots=False)
    fourth = FakeDesk(ANSWERS | {"Who is Nato's secretary-general?": answer("Stoltenberg.")})
    report = runner.run(QUESTIONS, fourth, out_dir=tmp_path / "again", plots=False)
    assert [q for q, _ in fourth.calls] == ["Who is Nato's secretary-general?"]
    assert report["metrics"]["overall"]["accuracy"] == pytest.approx(2 / 3)


def test_resume_refuses_other_settings(tmp_path: Path) -> None:
    runner.run(QUESTIONS, FakeDesk(ANSWERS), out_dir=tmp_path, settings={"k": 3}, limit=1, plots=False)
    with pytest.raises(resume.ResumeError, match="settings.k"):
        runner.run(QUESTIONS, FakeDesk(ANSWERS), out_dir=tmp_path, settings={"k": 8}, plots=False)
    # settings that do not change answers may differ
    runner.run(QUESTIONS, FakeDesk(ANSWERS), out_dir=tmp_path, settings={"k": 3, "port": 9}, plots=False)


def test_torn_last_line_is_ignored(tmp_path: Path) -> None:
    runner.run(QUESTIONS[:1], FakeDesk(ANSWERS), out_dir=tmp_path, plots=False)
    with (tmp_path / "results.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"id": "b", "quest')  # interrupted mid-write
    desk = FakeDesk(ANSWERS)
    runner.run(QUESTIONS[:2], desk, out_dir=tmp_path, plots=False)
    assert [q for q, _ in desk.calls] == ["Which Chatham House expert?"]
    assert set(resume.read_results(tmp_path / "results.jsonl")) == {"a", "b"}


def test_limit_and_seed_select_deterministically() -> None:
    assert runner.select(QUESTIONS, limit=2) == QUESTIONS[:2]
    shuffled = runner.select(QUESTIONS, limit=3, seed=7)
    assert shuffled == runner.select(QUESTIONS, limit=3, seed=7) and len(shuffled) == 3
    assert sorted(q.id for q in runner.select(QUESTIONS, seed=7)) == [q.id for q in QUESTIONS]


def test_k_is_passed_and_cuts_the_scored_passages(tmp_path: Path) -> None:
    desk = FakeDesk(ANSWERS)
    report = runner.run(QUESTIONS[1:2], desk, out_dir=tmp_path, k=1, plots=False)
    assert desk.calls == [("Which Chatham House expert?", 1)]
    record = report["questions"][0]
    assert record["hit_at_k"] == 0.0 and record["rr"] == 0.0 and len(record["passages"]) == 1


# ---------------------------------------------------------------- multiple choice

MC = Question(
    id="m",
    question="Which show returns?",
    choices=("“Friends”", "“Squid Game”", "“Lost”"),
    answer_index=1,
    type="CNN",
)


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("B", 1),
        ("B) Squid Game [1]", 1),
        ("(C) because", 2),
        ("**A**", 0),
        ("b. Friends", 0),
        ("The answer is C.", 2),
        ("Answer: B", 1),
        ("Squid Game is coming back [2].", 1),
        ("I think Lost.", 2),
        ("A total of two shows.", None),
        ("D", None),
        ("", None),
        ("Nothing matches", None),
        ("Friends and Squid Game both", 0),
    ],
)
def test_parse_choice(text: str, index: int | None) -> None:
    assert runner.parse_choice(text, MC.choices) == index


def test_multiple_choice_mode_scores_by_index(tmp_path: Path) -> None:
    wrong = MC.model_copy(
        update={"id": "m2", "question": "Which show ended?", "answer_index": 2, "answers": ("“Lost”",)}
    )
    asked = {
        MC.question: answer("B [1]", passages=[OTHER], cited=[1]),
        wrong.question: answer("A", passages=[OTHER]),
    }
    desk = FakeDesk(asked)
    report = runner.run([MC, wrong], desk, out_dir=tmp_path, plots=False)
    # The question is asked as it is; the options travel as options.
    assert [q for q, _ in desk.calls] == list(asked)
    assert desk.choices == [MC.choices, wrong.choices]
    records = {r["id"]: r for r in report["questions"]}
    assert records["m"]["mode"] == "mc" and records["m"]["chosen_index"] == 1 and records["m"]["correct"]
    assert records["m2"]["chosen_index"] == 0 and not records["m2"]["correct"]
    assert records["m"]["f1"] is None
    overall = report["metrics"]["overall"]
    assert overall["accuracy"] == 0.5 and overall["multiple_choice"] == 2


def test_open_mode_ignores_choices(tmp_path: Path) -> None:
    desk = FakeDesk({"Which show returns?": answer("Squid Game is back.")})
    report = runner.run([MC], desk, out_dir=tmp_path, mode="open", plots=False)
    assert desk.calls == [("Which show returns?", None)]
    record = report["questions"][0]
    assert record["mode"] == "open" and record["correct"]
    assert record["f1"] == pytest.approx(2 / 3)  # [squid, game, is, back] vs [squid, game]


# ---------------------------------------------------------------- judge


def test_parse_verdict() -> None:
    assert parse_verdict("SUPPORTED") == ("SUPPORTED", 1.0)
    assert parse_verdict("unsupported.") == ("UNSUPPORTED", 0.0)
    assert parse_verdict("Partial: one fact missing") == ("PARTIAL", 0.5)
    assert parse_verdict("no idea") == (None, None)


def test_judge_scores_faithfulness(tmp_path: Path) -> None:
    class Completions:
        def __init__(self) -> None:
            self.prompts: list[str] = []

        def create(self, **kwargs: Any) -> Any:
            self.prompts.append(kwargs["messages"][0]["content"])
            message = type("M", (), {"content": "SUPPORTED" if "850" in self.prompts[-1] else "UNSUPPORTED"})
            return type("R", (), {"choices": [type("C", (), {"message": message})]})

    completions = Completions()
    client = type("Client", (), {"chat": type("Chat", (), {"completions": completions})})
    judge = OpenAIJudge(base_url=None, model="m", client=client)
    report = runner.run(QUESTIONS, FakeDesk(ANSWERS), out_dir=tmp_path, judge=judge, plots=False)
    # judged: a (supported), b (cites OTHER: unsupported), e (uncited: all passages, unsupported)
    assert len(completions.prompts) == 3
    assert report["metrics"]["overall"]["faithfulness"] == pytest.approx(1 / 3)
    assert "Britain already has around 850 troops" in completions.prompts[0]


def test_judge_needs_a_server() -> None:
    from rag.errors import ConfigError
    from rag.settings import Settings

    with pytest.raises(ConfigError, match="llm_base_url"):
        OpenAIJudge.from_settings(Settings())


# ---------------------------------------------------------------- compare


def _report(tmp_path: Path, name: str, answers: dict[str, Answer | Exception], k: int) -> Path:
    runner.run(QUESTIONS, FakeDesk(answers), out_dir=tmp_path / name, settings={"k": k}, plots=False)
    return tmp_path / name


def test_compare_reports(tmp_path: Path) -> None:
    better = ANSWERS | {
        "Which Chatham House expert?": answer("Keir Giles [2].", passages=[OTHER, GILES], cited=[2])
    }
    first, second = _report(tmp_path, "k=3", ANSWERS, 3), _report(tmp_path, "k=8", better, 8)
    labelled = compare_paths([first, second / "report.json"])
    assert [label for label, _ in labelled] == ["k=3", "k=8"]
    rows = {row["name"]: row for row in compare_rows(labelled)}
    assert rows["accuracy"]["values"] == pytest.approx([1 / 3, 2 / 3])
    assert rows["accuracy"]["deltas"] == pytest.approx([1 / 3])
    assert rows["citation_precision"]["deltas"] == pytest.approx([0.5])
    assert "faithfulness" not in rows  # undefined everywhere
    assert differing_settings(labelled) == {"settings.k": [3, 8]}
    console = Console(record=True, width=200)
    console.print(compare_table(labelled))
    text = console.export_text()
    assert "accuracy" in text and "+33.3 pp" in text and "settings.k" in text
    assert "| accuracy | 33.3% | 66.7% | +33.3 pp |" in compare_markdown(labelled)


# ---------------------------------------------------------------- CLI


@pytest.fixture
def fake_factory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[FakeDesk]:
    monkeypatch.chdir(tmp_path)  # no newsdesk.toml or .env of the developer's
    for name in [n for n in os.environ if n.upper().startswith("NEWSDESK_")]:
        monkeypatch.delenv(name)
    made: list[FakeDesk] = []

    def make(settings: Any) -> FakeDesk:
        made.append(FakeDesk(ANSWERS, settings))
        return made[-1]

    monkeypatch.setattr(runner, "make_desk", make)
    return made


def _questions_file(tmp_path: Path) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("".join(q.model_dump_json() + "\n" for q in QUESTIONS), encoding="utf-8")
    return path


def test_cli_sweep_runs_each_value_and_compares(tmp_path: Path, fake_factory: list[FakeDesk]) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli.app,
        [
            "run",
            str(_questions_file(tmp_path)),
            "--out",
            str(out),
            "--set",
            "k=3",
            "--set",
            "k=8",
            "--no-plots",
        ],
    )
    assert result.exit_code == 0, result.output
    assert [desk.settings.k for desk in fake_factory] == [3, 8]
    for label in ("k=3", "k=8"):
        report = json.loads((out / label / "report.json").read_text(encoding="utf-8"))
        assert report["settings"]["k"] == int(label[2:]) and report["run"]["questions"].endswith("set.jsonl")
    assert "| settings.k | 3 | 8 |" in (out / "compare.md").read_text(encoding="utf-8")
    assert "Comparison" in result.output


def test_cli_default_command_mounted_and_corpus(tmp_path: Path, fake_factory: list[FakeDesk]) -> None:
    folder = tmp_path / "mh"
    folder.mkdir()
    (folder / "MultiHopRAG.json").write_text(
        json.dumps(
            [
                {
                    "query": "Which company launched a phone?",
                    "answer": "Acme",
                    "question_type": "inference_query",
                    "evidence_list": [{"title": "Acme launch", "url": "https://t.example.com/acme"}],
                },
                {
                    "query": "What did Zed say?",
                    "answer": "Insufficient information.",
                    "question_type": "null_query",
                    "evidence_list": [],
                },
                {
                    "query": "Not asked: over the limit",
                    "answer": "x",
                    "question_type": "inference_query",
                    "evidence_list": [],
                },
            ]
        ),
        encoding="utf-8",
    )
    body = {
        "title": "Acme launch",
        "url": "https://t.example.com/acme",
        "published_at": "2023-10-01",
        "body": "Acme launched a new phone on Sunday.",
    }
    (folder / "corpus.json").write_text(
        json.dumps(
            [
                body,
                body | {"url": "https://t.example.com/acme/"},
                body | {"title": "Other", "url": "https://t.example.com/other", "body": "Another story."},
            ]
        ),
        encoding="utf-8",
    )
    main = typer.Typer()

    @main.command()
    def ask() -> None:  # the main CLI has commands of its own
        """Unused."""

    main.add_typer(cli.app, name="eval")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "eval",
            str(folder / "MultiHopRAG.json"),
            "--corpus",
            str(folder / "MultiHopRAG.json"),
            "--out",
            str(out),
            "--limit",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    (desk,) = fake_factory
    assert len(desk.ingested) == 2  # deduplicated by URL
    assert Path(desk.settings.store) == out / "store"
    assert len(desk.calls) == 2
    assert (out / "report.md").exists() and (out / "accuracy_by_type.png").exists()

    result = CliRunner().invoke(main, ["eval", "compare", str(out), str(out / "report.json")])
    assert result.exit_code == 0, result.output
    assert "accuracy" in result.output


def test_cli_asks_dated_questions_as_of_their_day(tmp_path: Path, fake_factory: list[FakeDesk]) -> None:
    dated = [q.model_copy(update={"as_of": date(2022, 6, 17)}) for q in QUESTIONS[:2]]
    path = tmp_path / "dated.jsonl"
    path.write_text("".join(q.model_dump_json() + "\n" for q in dated), encoding="utf-8")
    on = CliRunner().invoke(cli.app, ["run", str(path), "--out", str(tmp_path / "on"), "--no-plots"])
    assert on.exit_code == 0, on.output
    assert fake_factory[-1].filters == [{"as_of": date(2022, 6, 17)}] * 2
    report = json.loads((tmp_path / "on" / "report.json").read_text(encoding="utf-8"))
    assert report["run"]["news time"].startswith("on")
    assert "- **news time**: on" in (tmp_path / "on" / "report.md").read_text(encoding="utf-8")
    off = CliRunner().invoke(
        cli.app, ["run", str(path), "--out", str(tmp_path / "off"), "--no-plots", "--no-news-time"]
    )
    assert off.exit_code == 0, off.output
    assert fake_factory[-1].filters == [None, None]
    # A folder answered with news time on is not resumed with it off: the answers differ.
    mixed = CliRunner().invoke(
        cli.app, ["run", str(path), "--out", str(tmp_path / "on"), "--no-plots", "--no-news-time"]
    )
    assert mixed.exit_code != 0


def test_cli_rejects_unknown_settings(tmp_path: Path, fake_factory: list[FakeDesk]) -> None:
    result = CliRunner().invoke(cli.app, [str(_questions_file(tmp_path)), "--set", "kk=3"])
    assert result.exit_code != 0 and "no such setting" in result.output
    assert not fake_factory


def test_cli_reports_a_resume_conflict(tmp_path: Path, fake_factory: list[FakeDesk]) -> None:
    path, out = str(_questions_file(tmp_path)), str(tmp_path / "out")
    assert CliRunner().invoke(cli.app, [path, "--out", out, "--set", "k=3", "--no-plots"]).exit_code == 0
    result = CliRunner().invoke(cli.app, [path, "--out", out, "--set", "k=4", "--no-plots"])
    assert result.exit_code == 1 and "different" in result.output


def test_sweep_helpers() -> None:
    sets = cli.parse_sets(["k=3", "k=8", "hybrid=false", "k=3"])
    assert sets == {"k": ["3", "8"], "hybrid": ["false"]}
    assert cli.combinations(sets) == [{"k": "3", "hybrid": "false"}, {"k": "8", "hybrid": "false"}]
    assert cli.combinations({}) == [{}]
    assert cli.run_label({"k": "3", "hybrid": "false"}, ["k"]) == "k=3"
    with pytest.raises(typer.BadParameter):
        cli.parse_sets(["k"])


# ---------------------------------------------------------------- the real desk on test doubles


def test_runner_with_the_real_desk_on_fakes(
    tmp_path: Path, desk: Any, fake_llm: Any, sample_dir: Path
) -> None:
    """The real ``Newsdesk`` (scripted LLM, hash embedder): its Answers flow through scoring unchanged."""
    from eval.formats import load_questions

    desk.ingest([sample_dir])
    questions = {
        q.id: q
        for q in load_questions(
            Path(__file__).resolve().parents[1] / "eval" / "questions" / "sample_articles.jsonl"
        )
    }
    chosen = [questions["sa01"], questions["sa34"]]  # 850 troops in Estonia; capital of Australia
    fake_llm.replies = ["Around 850 UK troops are stationed in Estonia [1].", "The articles don't say."]
    report = runner.run(chosen, desk, out_dir=tmp_path / "out", plots=False)
    records = {r["id"]: r for r in report["questions"]}
    assert not any(r["error"] for r in records.values())
    estonia = records["sa01"]
    assert estonia["passages_scored"] > 0 and estonia["hit_at_k"] is not None
    assert estonia["answer"].startswith("Around 850") or estonia["abstained"]
    assert estonia["draft"] == "Around 850 UK troops are stationed in Estonia [1].", "the model's own words"
    assert records["sa34"]["abstained"] and records["sa34"]["correct"]
    assert report["metrics"]["overall"]["correct_abstention_rate"] == 1.0
    assert report["desk"]["k"]
