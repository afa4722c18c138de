"""The benchmark's plumbing on a tiny synthetic corpus: fake embedder and chat model, no real models."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeChatModel, HashEmbeddings
from typer.testing import CliRunner

from eval import bench
from eval.bench import run as bench_run
from rag.api import Newsdesk
from rag.articles import articles_from_records
from rag.settings import Settings
from rag.types import Retrieval

ROOT = Path(__file__).resolve().parents[1]

TOPICS = [
    (
        "Harbour bridge reopens",
        "The harbour bridge in Port Alder reopened on Monday after repairs costing 40 million dollars.",
    ),
    (
        "Drought hits farms",
        "Farmers in the Velden valley lost half their wheat harvest to the worst drought in 60 years.",
    ),
    (
        "Mayor wins election",
        "Mayor Ines Okafor won a third term with 58 percent of the vote in the city election.",
    ),
    (
        "New vaccine approved",
        "Regulators approved a malaria vaccine made by Corvex after a trial with 9,000 children.",
    ),
    (
        "Storm closes schools",
        "Storm Petra closed 300 schools and cut power to 80,000 homes along the northern coast.",
    ),
    (
        "Team wins league",
        "The Riverside Rovers won the league title on the final day with a 2-1 win over Dunmore.",
    ),
]
QUESTIONS = [
    "How much did the harbour bridge repairs cost?",
    "How much of the wheat harvest was lost to the drought?",
    "Who won a third term as mayor?",
    "Which company made the malaria vaccine?",
    "How many homes lost power in Storm Petra?",
]


def corpus() -> list[Any]:
    records = []
    for n, (title, sentence) in enumerate(TOPICS):
        filler = " ".join(
            f"Officials said detail number {i} of the {title.lower()} story was confirmed." for i in range(40)
        )
        records.append(
            {
                "title": title,
                "text": f"{sentence} {filler} {sentence}",
                "url": f"https://news.example/{n}",
                "published": f"2022-06-{10 + n}",
            }
        )
    return articles_from_records(records, origin="bench-test")


def hash_embedder(settings: Any) -> HashEmbeddings:
    return HashEmbeddings()


def fake_llm(settings: Any) -> FakeChatModel:
    return FakeChatModel(replies=["Port Alder paid 40 million dollars [1]."] * 40, piece=4)


# ---------------------------------------------------------------- pure helpers


def test_ratio_rows_from_known_numbers() -> None:
    ours = {
        "ingest.chunks_per_s": 200.0,
        "retrieval.x1.p50_ms": 30.0,
        "ingest.chunks": 150,
        "answer.small.errors": 0,
    }
    base = {
        "ingest.chunks_per_s": 100.0,
        "retrieval.x1.p50_ms": 10.0,
        "ingest.chunks": 100,
        "answer.small.errors": 0,
        "only.baseline_s": 1.0,
    }
    rows = {r["metric"]: r for r in bench.ratio_rows(ours, base, {"ingest.chunks": "chunks stored"})}
    assert rows["ingest.chunks_per_s"]["ratio"] == 2.0
    assert (
        rows["ingest.chunks_per_s"]["better"] == "higher"
        and rows["ingest.chunks_per_s"]["ours_better"] is True
    )
    assert rows["retrieval.x1.p50_ms"]["ratio"] == 3.0
    assert (
        rows["retrieval.x1.p50_ms"]["better"] == "lower"
        and rows["retrieval.x1.p50_ms"]["ours_better"] is False
    )
    assert rows["ingest.chunks"]["ratio"] == 1.5 and rows["ingest.chunks"]["better"] is None
    assert rows["ingest.chunks"]["label"] == "chunks stored" and rows["ingest.chunks"]["ours_better"] is None
    assert rows["answer.small.errors"]["ratio"] is None  # 0 / 0
    assert rows["only.baseline_s"]["ours"] is None and rows["only.baseline_s"]["ratio"] is None
    assert list(rows)[-1] == "only.baseline_s"


@pytest.mark.parametrize(
    ("metric", "better"),
    [
        ("ingest.seconds", "lower"),
        ("ingest.articles_per_s", "higher"),
        ("ingest.chunks_per_s", "higher"),
        ("ingest.peak_rss_mb", "lower"),
        ("retrieval.x10.p95_ms", "lower"),
        ("answer.small.ttft_p50_s", "lower"),
        ("answer.small.prompt_chars_mean", "lower"),
        ("answer.small.answer_chars_mean", None),
        ("retrieval.x1.chunks", None),
    ],
)
def test_better_for(metric: str, better: str | None) -> None:
    assert bench.better_for(metric) == better


def test_summarize_uses_interpolated_percentiles() -> None:
    summary = bench.summarize([0.01, 0.02, 0.03, 0.04, None], scale=1000)
    assert summary == {"n": 4, "p50": 25.0, "p95": 38.5, "mean": 25.0}
    assert bench.summarize([]) == {"n": 0, "p50": None, "p95": None, "mean": None}


def test_effective_factors_cap_and_merge() -> None:
    assert bench.effective_factors([1, 10], [100, 80], 10_000) == [
        {"requested": 1, "actual": 1.0, "capped": False},
        {"requested": 10, "actual": 10.0, "capped": False},
    ]
    capped = bench.effective_factors([100, 1, 10], [40_000, 28_000], 300_000)
    assert [f["actual"] for f in capped] == [1.0, 7.5]
    assert capped[1]["requested"] == 10 and capped[1]["capped"] and capped[1]["merged"] == [100]
    # The full dev corpus under the default cap: a true 10x; 100x would only reach 10.3x, so it is folded in.
    full = bench.effective_factors([1, 10, 100], [38_784, 27_542], bench.DEFAULT_MAX_CHUNKS)
    assert [(f["requested"], f["actual"], f["capped"]) for f in full] == [(1, 1.0, False), (10, 10.0, False)]
    assert full[1]["merged"] == [100]
    assert [f["actual"] for f in bench.effective_factors([1, 10, 100], [1_000], 50_000)] == [1.0, 10.0, 50.0]


def test_load_inputs_first_weeks_and_max_articles(tmp_path: Path) -> None:
    for n, week in enumerate(("20220101", "20220108")):
        qa = {
            "question_id": f"{week}_0",
            "question_sentence": f"Question of week {n}?",
            "choices": ["a", "b"],
            "answer": ["0"],
        }
        results = [
            {
                "url": f"https://news.example/{week}/{i}",
                "title": f"Story {i} of {week}",
                "text": f"Story {i} text for week {week}. " * 20,
                "publish_date": "2022-01-01",
            }
            for i in range(3)
        ]
        (tmp_path / f"{week}_qa.jsonl").write_text(json.dumps(qa) + "\n")
        (tmp_path / f"{week}_gcs.jsonl").write_text(
            json.dumps({"question_id": qa["question_id"], "search_result": results}) + "\n"
        )
    articles, questions = bench.load_inputs(tmp_path, weeks=1)
    assert questions == ["Question of week 0?"] and len(articles) == 3
    assert all("20220101" in (a.url or "") for a in articles)
    articles, questions = bench.load_inputs(tmp_path, max_articles=4)
    assert len(questions) == 2 and len(articles) == 4


def test_call_isolated_runs_in_another_process() -> None:
    assert bench.call(os.getpid, isolate=True) != os.getpid()


# ---------------------------------------------------------------- a whole run, in process


def test_run_bench_offline(settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "runs" / "bench.json"
    cfg = bench.BenchConfig(questions=2, models=["small"], scales=[1, 3], out=out)
    articles = corpus()
    lines: list[str] = []
    results = bench.run_bench(
        cfg,
        settings,
        embedder_factory=hash_embedder,
        llm_factory=fake_llm,
        isolate=False,
        articles=articles,
        questions=QUESTIONS,
        log=lines.append,
    )

    saved = json.loads(out.read_text())
    for key in (
        "date",
        "machine",
        "config",
        "settings",
        "baseline",
        "corpus",
        "ingest",
        "scales",
        "retrieval",
        "answers",
        "table",
        "isolated",
    ):
        assert key in saved, key
    assert saved["machine"]["cpu_count"] == os.cpu_count() and saved["machine"]["platform"]
    assert saved["config"]["scales"] == [1, 3] and saved["settings"]["k"] == settings.k
    assert saved["isolated"] is False and saved["corpus"]["articles"] == len(articles)

    ours, base = results["ingest"]["ours"], results["ingest"]["baseline"]
    assert ours["articles"] == base["articles"] == len(articles)
    assert ours["chunks"] == ours["stored"] > 0 and base["chunks"] == base["stored"] > 0
    assert ours["chunks_per_s"] > 0 and base["peak_rss_mb"] > 0

    assert set(results["retrieval"]) == {"x1", "x3"}
    x3 = results["retrieval"]["x3"]
    assert x3["actual"] == 3.0 and not x3["capped"]
    assert x3["ours"]["chunks"] == 3 * ours["stored"] and x3["baseline"]["chunks"] == 3 * base["stored"]
    assert x3["ours"]["total"]["n"] == x3["baseline"]["total"]["n"] == len(QUESTIONS)
    stages = x3["ours"]["stages"]
    assert list(stages) == list(settings.retrieval_stages)  # every configured stage, in pipeline order
    for times in stages.values():  # a stage is part of the call, so its percentiles cannot exceed the call's
        assert times["n"] == len(QUESTIONS) and 0 <= times["p50"] <= x3["ours"]["total"]["p50"]

    small = results["answers"]["small"]
    for side in ("ours", "baseline"):
        assert small[side]["errors"] == 0, small[side]["error_examples"]
        assert small[side]["ttft"]["n"] == 2 and small[side]["total"]["p95"] >= small[side]["ttft"]["p50"]
        assert small[side]["prompt_chars"]["mean"] > 0
    assert small["baseline"]["prompt_chars"]["mean"] > len(bench.BASELINE_PROMPT)

    rows = {r["metric"]: r for r in saved["table"]}
    assert {
        "ingest.chunks_per_s",
        "ingest.peak_rss_mb",
        "retrieval.x3.p95_ms",
        "answer.small.ttft_p50_s",
        "answer.small.total_p95_s",
        "answer.small.prompt_chars_mean",
    } <= set(rows)
    for row in rows.values():
        if row["ours"] is not None and row["baseline"]:
            assert row["ratio"] == pytest.approx(row["ours"] / row["baseline"], abs=1e-3)
    assert rows["ingest.chunks"]["ours"] == ours["chunks"]
    assert any("articles" in line for line in lines)

    table = bench.render_table(saved["table"])
    assert table.row_count == len(saved["table"]) and len(table.columns) == 5


def test_run_bench_skip_answers_caps_scales(settings: Settings, tmp_path: Path) -> None:
    cfg = bench.BenchConfig(
        scales=[1, 2, 50], skip_answers=True, out=None, max_chunks=10**9, work=tmp_path / "w"
    )
    articles = corpus()[:2]
    results = bench.run_bench(
        cfg,
        settings,
        embedder_factory=hash_embedder,
        isolate=False,
        articles=articles,
        questions=QUESTIONS[:2],
        log=lambda _: None,
    )
    assert "answers" not in results
    assert set(results["retrieval"]) == {"x1", "x2", "x50"}
    chunks = max(results["ingest"]["ours"]["stored"], results["ingest"]["baseline"]["stored"])
    cfg.max_chunks = chunks * 2
    cfg.work = tmp_path / "w2"
    results = bench.run_bench(
        cfg,
        settings,
        embedder_factory=hash_embedder,
        isolate=False,
        articles=articles,
        questions=QUESTIONS[:2],
        log=lambda _: None,
    )
    assert set(results["retrieval"]) == {"x1", "x2"}  # x50 capped to x2 and merged into it
    assert results["scales"]["factors"][1]["merged"] == [50]
    assert any((tmp_path / "w2").glob("run-*/ours/x2"))  # --work keeps the stores


def test_cli_parses_options(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: dict[str, Any] = {}

    def fake_run(cfg: bench.BenchConfig) -> dict[str, Any]:
        seen["cfg"] = cfg
        rows = bench.ratio_rows({"ingest.seconds": 2.0}, {"ingest.seconds": 4.0})
        return {"table": rows, "seconds": 1.0}

    monkeypatch.setattr(bench_run, "run_bench", fake_run)
    result = CliRunner().invoke(
        bench.app,
        [
            "--data",
            str(tmp_path),
            "--weeks",
            "1",
            "--max-articles",
            "60",
            "--questions",
            "3",
            "--models",
            "small",
            "--scales",
            "10",
            "--out",
            str(tmp_path / "b.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    cfg = seen["cfg"]
    assert (cfg.weeks, cfg.max_articles, cfg.questions, cfg.models, cfg.scales) == (
        1,
        60,
        3,
        ["small"],
        [1, 10],
    )
    assert "0.50×" in result.output
    bad = CliRunner().invoke(bench.app, ["--data", str(tmp_path), "--models", "huge"])
    assert bad.exit_code != 0


def test_cli_without_data_says_what_to_give(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSDESK_BENCH_DATA", raising=False)
    monkeypatch.setattr(bench_run, "run_bench", lambda cfg: pytest.fail("ran without data"))
    result = CliRunner().invoke(bench.app, ["--skip-answers"])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)  # a usage error, no traceback
    assert "give --data FOLDER (a RealTimeQA-format folder)" in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_cli_takes_data_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: dict[str, Any] = {}

    def fake_run(cfg: bench.BenchConfig) -> dict[str, Any]:
        seen["cfg"] = cfg
        return {"table": [], "seconds": 0.0}

    monkeypatch.setenv("NEWSDESK_BENCH_DATA", str(tmp_path))
    monkeypatch.setattr(bench_run, "run_bench", fake_run)
    result = CliRunner().invoke(bench.app, ["--skip-answers", "--out", str(tmp_path / "b.json")])
    assert result.exit_code == 0, result.output
    assert seen["cfg"].data == tmp_path


def test_defaults_stay_inside_the_repository() -> None:
    assert bench.BenchConfig().data is None
    assert bench.DEFAULT_OUT.resolve().is_relative_to(ROOT / "eval" / "runs")


def test_run_bench_without_data_is_an_input_error(settings: Settings) -> None:
    with pytest.raises(bench.BenchInputError, match="give --data FOLDER"):
        bench.run_bench(bench.BenchConfig(out=None), settings, embedder_factory=hash_embedder, isolate=False)


def test_cli_reports_an_unusable_folder_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(bench_run, "run_bench", lambda cfg: bench.load_inputs(cfg.data))
    result = CliRunner().invoke(bench.app, ["--data", str(tmp_path), "--skip-answers"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "no RealTimeQA *_qa.jsonl files" in " ".join(result.output.split())
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- ours only through the public API


def test_the_bench_never_reaches_past_the_api() -> None:
    """Ours is measured as users run it: no private pipeline modules, no prompt rebuilt in eval/."""
    for module in (ROOT / "eval" / "bench").glob("*.py"):
        text = module.read_text()
        for private in ("rag.chain", "rag.retrieval", "rag.stages", "answer_prompt", "format_passages"):
            assert private not in text, f"{module.name} uses {private}"


def test_switching_the_rerank_stage_on_shows_in_the_table(settings: Settings, tmp_path: Path) -> None:
    stages = list(settings.retrieval_stages)
    stages.insert(stages.index("pack"), "rerank")
    with_rerank = settings.model_copy(update={"retrieval_stages": tuple(stages)})
    cfg = bench.BenchConfig(scales=[1], skip_answers=True, out=tmp_path / "b.json")
    results = bench.run_bench(
        cfg,
        with_rerank,
        embedder_factory=hash_embedder,
        isolate=False,
        articles=corpus()[:3],
        questions=QUESTIONS,
        log=lambda _: None,
    )
    assert list(results["retrieval"]["x1"]["ours"]["stages"]) == stages
    saved = {r["metric"]: r for r in json.loads((tmp_path / "b.json").read_text())["table"]}
    row = saved["retrieval.x1.stage.rerank.p50_ms"]
    assert (
        row["label"] == "retrieval x1, stage rerank: p50 (ms)"
        and row["ours"] is not None
        and row["baseline"] is None
    )
    assert "retrieval.x1.stage.rerank.p95_ms" in saved


def test_stage_rows_come_from_whatever_stage_seconds_holds(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Newsdesk.retrieve

    def with_extra_stage(self: Newsdesk, question: str, **kwargs: Any) -> Retrieval:
        found = real(self, question, **kwargs)
        return found.model_copy(update={"stage_seconds": {**found.stage_seconds, "oracle": 0.25}})

    monkeypatch.setattr(Newsdesk, "retrieve", with_extra_stage)
    cfg = bench.BenchConfig(scales=[1], skip_answers=True, out=tmp_path / "b.json")
    results = bench.run_bench(
        cfg,
        settings,
        embedder_factory=hash_embedder,
        isolate=False,
        articles=corpus()[:3],
        questions=QUESTIONS,
        log=lambda _: None,
    )
    oracle = results["retrieval"]["x1"]["ours"]["stages"]["oracle"]
    assert oracle == {"n": len(QUESTIONS), "p50": 250.0, "p95": 250.0, "mean": 250.0}  # seconds become ms
    assert list(results["retrieval"]["x1"]["ours"]["stages"])[-1] == "oracle"
    rows = {r["metric"]: r for r in json.loads((tmp_path / "b.json").read_text())["table"]}
    assert rows["retrieval.x1.stage.oracle.p50_ms"]["ours"] == 250.0
    assert rows["retrieval.x1.stage.oracle.p95_ms"]["better"] == "lower"
    rendered = bench.render_table(results["table"])
    assert "retrieval x1, stage oracle: p50 (ms)" in list(rendered.columns[0].cells)


def test_ours_prompt_size_is_the_answers_own(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer phase reports ``Answer.prompt_chars`` as it is, not a size worked out in eval/."""
    from rag.types import Answer

    real = Newsdesk.ask_stream

    def fixed_prompt(self: Newsdesk, question: str, **kwargs: Any) -> Any:
        for event in real(self, question, **kwargs):
            yield event.model_copy(update={"prompt_chars": 1234}) if isinstance(event, Answer) else event

    monkeypatch.setattr(Newsdesk, "ask_stream", fixed_prompt)
    cfg = bench.BenchConfig(questions=2, models=["small"], scales=[1], out=None)
    results = bench.run_bench(
        cfg,
        settings,
        embedder_factory=hash_embedder,
        llm_factory=fake_llm,
        isolate=False,
        articles=corpus()[:3],
        questions=QUESTIONS,
        log=lambda _: None,
    )
    assert results["answers"]["small"]["ours"]["prompt_chars"] == {
        "n": 2,
        "p50": 1234,
        "p95": 1234,
        "mean": 1234,
    }


# ---------------------------------------------------------------- the tutorial pipeline on its own


def test_tutorial_pipeline_ingests_retrieves_and_streams(tmp_path: Path) -> None:
    articles = corpus()
    pipeline = bench.TutorialPipeline(tmp_path / "store", HashEmbeddings(), fake_llm(None), k=3)
    chunks = pipeline.ingest(articles)
    assert chunks == pipeline.count() > len(articles)  # 1000-character pieces of ~3,000-character articles
    found = pipeline.retrieve("How much did the harbour bridge repairs cost?")
    assert len(found) == 3
    text, meta = found[0]
    assert len(text) <= 1000 and set(meta) == {"url", "title"}
    answer = "".join(pipeline.stream("Who won a third term as mayor?"))
    assert answer == "Port Alder paid 40 million dollars [1]."
    assert pipeline.last_prompt_chars is not None and pipeline.last_prompt_chars > len(bench.BASELINE_PROMPT)
