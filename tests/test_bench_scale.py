"""``newsdesk bench scale``: the synthetic news and one tiny run end to end (real store, random vectors)."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eval import bench

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "eval" / "bench"))
import synthetic  # noqa: E402  (beside the probe, imported by path as the probe does)


def test_synthetic_news_is_seeded_and_article_shaped() -> None:
    first = list(synthetic.chunks(40, seed=3))
    assert first == list(synthetic.chunks(40, seed=3))
    assert first != list(synthetic.chunks(40, seed=4))
    articles: dict[str, list[synthetic.Chunk]] = {}
    for c in first:
        articles.setdefault(c.article_id, []).append(c)
    assert len(articles) == 40 // synthetic.CHUNKS_PER_ARTICLE
    for chunks in articles.values():  # one title, day and source per article
        assert len({(c.title, c.published, c.source) for c in chunks}) == 1
        assert [c.index for c in chunks] == list(range(synthetic.CHUNKS_PER_ARTICLE))
    many = list(synthetic.chunks(4000, seed=0))
    days = {c.published for c in many}
    assert min(days) >= synthetic.FIRST_DAY and max(days) < synthetic.FIRST_DAY + timedelta(days=731)
    assert len({c.source for c in many}) > 10
    assert any(
        "," in w and w.replace(",", "").rstrip(".").isdigit() for c in many[:50] for w in c.text.split()
    )
    qs = synthetic.questions(many[:100], 5)
    assert len(qs) == 5 and all(q.startswith("What did the") for q in qs)


def test_bench_scale_runs_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "scale.json"
    result = CliRunner().invoke(
        bench.app,
        ["scale", "-n", "240", "--questions", "4", "--work", str(tmp_path / "w"), "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["build"]["chunks"] == 240 and data["build"]["chunks_per_s"] > 0
    assert data["build"]["disk_mb"]["keyword_index"] > 0
    new = data["new"]
    assert new["chunks"] == 240  # the extra article is gone again
    for name in ("none", "date+source", "as_of"):
        assert new[f"keyword_{name}_ms"]["p50"] > 0 and f"dense_{name}_ms" in new
    assert new["keyword_none_ms"]["hits_per_question"] > 0
    assert new["first_keyword_after_ingest_s"] >= 0
    assert "log" not in new  # the writes kept the index whole: the first question built nothing
    assert data["machine"]["cpu_count"] and data["config"]["n"] == 240
    retrieve = data["retrieve"]  # the public path, the real embedder on the question
    assert retrieve["chunks"] == 240 and retrieve["first_question_s"] > 0
    for name in ("none", "date+source", "as_of", "as_of_late"):
        timed = retrieve[f"retrieve_{name}_ms"]
        assert timed["p95"] >= timed["p50"] > 0 and "dense" in timed["stages_p50_ms"]


def test_bench_scale_runs_against_a_chroma_server(tmp_path: Path) -> None:
    """The same steps through a ``chroma run`` server the bench starts and stops."""
    from eval.bench.chroma_server import chroma_command

    if chroma_command() is None:
        pytest.skip("the chroma command is not installed")
    out = tmp_path / "scale.json"
    result = CliRunner().invoke(
        bench.app,
        [
            "scale",
            "-n",
            "160",
            "--questions",
            "3",
            "--server",
            "--work",
            str(tmp_path / "w"),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["config"]["server"] and data["build"]["chunks"] == 160
    assert (tmp_path / "w" / "server-160" / "chroma.sqlite3").exists()  # the server's own data
    assert data["new"]["chunks"] == 160 and data["new"]["dense_as_of_ms"]["p50"] > 0
    assert "log" not in data["new"]  # the keyword index the build wrote was the one asked
    assert data["retrieve"]["retrieve_none_ms"]["p50"] > 0 and data["retrieve"]["chunks"] == 160
    assert data["server"]["peak_rss_mb"] > 0
