"""The ``newsdesk`` command line through typer's CliRunner, with the fakes injected."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from fakes import FakeChatModel, HashEmbeddings
from pdfs import text_pdf
from rich.console import Console
from typer.testing import CliRunner

import rag.cli
from rag.api import Newsdesk
from rag.settings import Settings

ANSI = re.compile(r"\x1b\[[0-9;]*m")
LAUNCHERS_Q = "How many anti-tank missile launchers did the UK send to Ukraine?"


@pytest.fixture
def store(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = clean_env / "cli-store"
    monkeypatch.setenv("NEWSDESK_STORE", str(path))
    return path


@pytest.fixture
def opened(store: Path, fake_llm: FakeChatModel, monkeypatch: pytest.MonkeyPatch) -> list[Settings]:
    """Every command's desk gets the fakes; the settings it was built from are recorded."""
    seen: list[Settings] = []

    def fake_desk(settings: Settings) -> Newsdesk:
        seen.append(settings)
        return Newsdesk(settings, llm=fake_llm, embedder=HashEmbeddings())

    monkeypatch.setattr(rag.cli, "_desk", fake_desk)
    return seen


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def plain(text: str) -> str:
    return ANSI.sub("", text)


def run(runner: CliRunner, *args: str):
    result = runner.invoke(rag.cli.app, list(args))
    assert "Traceback" not in result.output, result.output
    return result


def test_ingest_json_summary_and_idempotence(
    runner: CliRunner, opened: list[Settings], store: Path, sample_dir: Path
) -> None:
    result = run(runner, "ingest", str(sample_dir), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {
        "articles_added",
        "articles_updated",
        "articles_unchanged",
        "chunks_added",
        "chunks_deleted",
        "failed",
        "warnings",
        "seconds",
    }
    assert data["articles_added"] == 2 and data["chunks_added"] > 0 and data["failed"] == []
    assert opened[0].store == store

    again = json.loads(run(runner, "ingest", str(sample_dir), "--json").stdout)
    assert (again["articles_added"], again["articles_unchanged"], again["chunks_added"]) == (0, 2, 0)

    stats = run(runner, "stats", "--json")
    assert stats.exit_code == 0
    assert json.loads(stats.stdout) == {"articles": 2, "chunks": data["chunks_added"]}


def test_ingest_reports_skipped_files(runner: CliRunner, opened: list[Settings], tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "ok.txt").write_text(
        "Bridge reopens\n2022-02-01\nThe bridge reopened on Sunday after repairs.\n"
    )
    result = run(runner, "ingest", str(folder))
    assert result.exit_code == 0
    assert "1 added, 0 updated, 0 unchanged" in plain(result.stdout)
    # Rich wraps long lines at 80 columns when not on a terminal: compare with whitespace collapsed.
    stderr = " ".join(plain(result.stderr).split())
    assert "skipped" in stderr and "empty.txt: empty file" in stderr


def test_stats_human_output(runner: CliRunner, opened: list[Settings]) -> None:
    result = run(runner, "stats")
    assert result.exit_code == 0
    assert plain(result.stdout).strip() == "0 articles, 0 chunks"


def test_store_option_beats_env(runner: CliRunner, opened: list[Settings], tmp_path: Path) -> None:
    other = tmp_path / "other-store"
    assert run(runner, "stats", "--store", str(other)).exit_code == 0
    assert opened[-1].store == other


def test_ask_json_returns_the_answer(
    runner: CliRunner, opened: list[Settings], sample_dir: Path, fake_llm: FakeChatModel
) -> None:
    assert run(runner, "ingest", str(sample_dir), "--json").exit_code == 0
    fake_llm.replies.append("The UK sent 2,000 anti-tank missile launchers.")
    result = run(runner, "ask", LAUNCHERS_Q, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["question"] == LAUNCHERS_Q
    assert "2,000" in data["answer"] and data["abstained"] is False and data["error"] is None
    assert data["model"] == "fake-llm"
    [citation] = data["citations"]
    assert "2,000" in citation["passage"] and citation["published"] == "2022-01-21"
    assert data["passages"] and set(data["timings"]) >= {"retrieve", "generate", "total"}


def test_ask_prints_answer_and_sources(
    runner: CliRunner, opened: list[Settings], sample_dir: Path, fake_llm: FakeChatModel
) -> None:
    run(runner, "ingest", str(sample_dir), "--json")
    fake_llm.replies.append("Around 850 British troops are stationed in Estonia.")
    result = run(runner, "ask", "How many British troops are stationed in Estonia?")
    assert result.exit_code == 0, result.output
    out = plain(result.stdout)
    first, _, sources = out.partition("\n")
    assert re.fullmatch(r"Around 850 British troops are stationed in Estonia \[\d\]\.", first)
    sources = " ".join(sources.split())
    assert re.search(r"\[\d\] UK troops set to join defence of Europe .*\(2022-01-26\)", sources)
    assert "https://www.telegraph.co.uk/" in sources
    assert "850" in sources


def test_ingest_picks_up_pdfs_and_ask_prints_the_page(
    runner: CliRunner, opened: list[Settings], tmp_path: Path, fake_llm: FakeChatModel
) -> None:
    folder = tmp_path / "papers"
    folder.mkdir()
    cover = "Harbour report\n\nThe harbour board met on Monday to discuss the ferry timetable for the spring."
    budget = "The council spent 4.2 million pounds on new bridge cables in 2021, the report says."
    (folder / "report.pdf").write_bytes(text_pdf([cover, budget], title="Harbour report"))
    result = run(runner, "ingest", str(folder), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["articles_added"] == 1
    fake_llm.replies.append("The council spent 4.2 million pounds on the cables [1].")
    result = run(runner, "ask", "How much did the council spend on bridge cables?")
    assert result.exit_code == 0, result.output
    assert re.search(r"\[1\] Harbour report \(2022-01-26, p\. 2\)", plain(result.stdout)), result.stdout


@pytest.mark.parametrize(
    ("reply", "checked"),
    [
        ("Around 850 British troops are stationed in Estonia [1].", None),
        ("Canberra is the capital of Australia [1].", "The articles don't say."),
    ],
    ids=["kept", "changed"],
)
def test_ask_in_a_terminal_prints_the_checked_answer_when_grounding_changed_the_streamed_one(
    runner: CliRunner,
    opened: list[Settings],
    sample_dir: Path,
    fake_llm: FakeChatModel,
    monkeypatch: pytest.MonkeyPatch,
    reply: str,
    checked: str | None,
) -> None:
    run(runner, "ingest", str(sample_dir), "--json")
    screen = io.StringIO()
    monkeypatch.setattr(rag.cli, "out", Console(file=screen, force_terminal=True, width=200))
    fake_llm.replies.append(reply)
    result = run(runner, "ask", "How many British troops are stationed in Estonia?")
    assert result.exit_code == 0, result.output
    lines = plain(screen.getvalue()).splitlines()
    assert lines[0] == reply  # streamed as the model wrote it
    if checked is None:
        assert not any(line.startswith("Checked:") for line in lines)
    else:
        assert lines[1] == f"Checked: {checked}"


def test_ask_in_a_terminal_says_once_that_no_article_matches_the_filters(
    runner: CliRunner, opened: list[Settings], sample_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(runner, "ingest", str(sample_dir), "--json")
    screen = io.StringIO()
    monkeypatch.setattr(rag.cli, "out", Console(file=screen, force_terminal=True, width=200))
    result = run(runner, "ask", LAUNCHERS_Q, "--from", "2030-01-01")
    assert result.exit_code == 0, result.output
    lines = plain(screen.getvalue()).splitlines()
    assert lines[0] == "No article matches the filters: published on or after 2030-01-01."
    assert not any(line.startswith("Checked:") for line in lines)


def test_ask_with_filters(
    runner: CliRunner, opened: list[Settings], sample_dir: Path, fake_llm: FakeChatModel
) -> None:
    run(runner, "ingest", str(sample_dir), "--json")
    fake_llm.replies.append("The articles don't say.")
    result = run(runner, "ask", LAUNCHERS_Q, "--json", "--from", "2022-01-25", "--source", "telegraph.co.uk")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["abstained"] is True
    assert data["passages"] and {p["published"] for p in data["passages"]} == {"2022-01-26"}


def test_ask_empty_question_is_one_error_line(runner: CliRunner, opened: list[Settings]) -> None:
    result = run(runner, "ask", "")
    assert result.exit_code == 1
    lines = plain(result.output).strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:")
    assert "empty" in lines[0]
    assert result.stdout == ""


def test_ask_on_an_empty_store_is_one_clear_error(runner: CliRunner, opened: list[Settings]) -> None:
    result = run(runner, "ask", LAUNCHERS_Q)
    assert result.exit_code == 1
    lines = plain(result.output).strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error:") and "newsdesk ingest" in lines[0]


def test_ask_with_the_real_desk_factory_fails_cleanly_on_an_empty_store(
    runner: CliRunner, store: Path
) -> None:
    # No fakes: the real Newsdesk is opened, but an empty store stops it before any model loads.
    result = run(runner, "ask", LAUNCHERS_Q)
    assert result.exit_code == 1
    assert plain(result.output).strip().startswith("error: the store has no articles yet")


def test_ask_json_with_a_failing_model_exits_1_with_the_passages(
    runner: CliRunner, opened: list[Settings], sample_dir: Path, fake_llm: FakeChatModel
) -> None:
    run(runner, "ingest", str(sample_dir), "--json")
    fake_llm.replies.append(ConnectionError("server went away"))
    result = run(runner, "ask", LAUNCHERS_Q, "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert "server went away" in data["error"] and data["passages"]


def test_invalid_settings_are_one_error_line(
    runner: CliRunner, opened: list[Settings], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NEWSDESK_K", "0")
    result = run(runner, "stats")
    assert result.exit_code == 1
    assert plain(result.output).strip().startswith("error: invalid settings: k:")
    monkeypatch.delenv("NEWSDESK_K")
    broken = tmp_path / "broken.toml"
    broken.write_text("k = = 3\n")
    monkeypatch.setenv("NEWSDESK_CONFIG", str(broken))
    result = run(runner, "stats")
    assert result.exit_code == 1
    assert plain(result.output).strip().startswith("error: invalid settings file")


def test_ask_text_with_a_failing_model_prints_the_error_and_the_passages(
    runner: CliRunner, opened: list[Settings], sample_dir: Path, fake_llm: FakeChatModel
) -> None:
    run(runner, "ingest", str(sample_dir), "--json")
    fake_llm.replies.append(ConnectionError("server went away"))
    result = run(runner, "ask", LAUNCHERS_Q)
    assert result.exit_code == 1
    errors = plain(result.stderr).strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith("error:") and "server went away" in errors[0]
    out = " ".join(plain(result.stdout).split())
    # Each retrieved passage: its number, title, date, URL and a quote of its text.
    assert re.search(r"\[1\] .+ \(2022-01-\d\d\)", out), out
    assert "https://www.telegraph.co.uk/" in out
    assert "2,000" in out  # the passage that answers the question, quoted
    assert out.count("“") >= 2
