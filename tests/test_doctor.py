"""``newsdesk doctor``: each failure is reported with the command that fixes it."""

from __future__ import annotations

import dataclasses
import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

import rag.cli
from rag import models


def doctor(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(rag.cli.app, ["doctor", "--json", *args])
    assert "Traceback" not in result.output, result.output
    return result.exit_code, json.loads(result.stdout)


def by_name(report: dict) -> dict[str, dict]:
    return {c["name"]: c for c in report["checks"]}


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
def home(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NEWSDESK_STORE", str(clean_env / "store"))
    monkeypatch.setenv("NEWSDESK_MODEL_CACHE", str(clean_env / "models"))
    return clean_env


def test_missing_model_is_reported_with_the_install_command(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = dataclasses.replace(models.MODELS["small"], package_prefix="no_such_newsdesk_model_part")
    monkeypatch.setitem(models.MODELS, "small", gone)
    code, report = doctor("--model", "small", "--skip", "embedder")
    checks = by_name(report)
    assert code == 1 and report["ok"] is False
    assert checks["model"]["ok"] is False
    assert "no-such-newsdesk-model-part1" in checks["model"]["detail"]
    assert checks["model"]["fix"] == "pip install 'newsdesk[model-small]'"
    # The LLM needs the model: it is not tried, and says why.
    assert checks["llm"]["ok"] is False and "model failed first" in checks["llm"]["detail"]
    # The rest of the installation is fine, and says so.
    assert checks["python"]["ok"] and checks["packages"]["ok"] and checks["store"]["ok"]


def test_unreachable_llm_url_is_reported_with_its_fix(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    monkeypatch.setenv("NEWSDESK_LLM_BASE_URL", url)
    monkeypatch.setenv("NEWSDESK_LLM_MODEL", "some-model")
    monkeypatch.setenv("NEWSDESK_LLM_TIMEOUT", "5")
    code, report = doctor("--skip", "embedder")
    checks = by_name(report)
    assert code == 1
    assert checks["model"]["ok"] is True and "not needed" in checks["model"]["detail"]
    assert checks["llm"]["ok"] is False
    assert url in checks["llm"]["detail"] and "cannot reach" in checks["llm"]["detail"]
    assert url in checks["llm"]["fix"] and "NEWSDESK_LLM_BASE_URL" in checks["llm"]["fix"]


def test_unreachable_chroma_server_is_reported(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_CHROMA_URL", f"http://127.0.0.1:{closed_port()}")
    code, report = doctor("--skip", "embedder", "--skip", "model", "--skip", "llm")
    store = by_name(report)["store"]
    assert code == 1 and store["ok"] is False
    assert "chroma run" in store["fix"]


def test_human_output_is_one_line_per_check_with_fixes(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_LLM_BASE_URL", f"http://127.0.0.1:{closed_port()}/v1")
    monkeypatch.setenv("NEWSDESK_LLM_MODEL", "m")
    monkeypatch.setenv("NEWSDESK_LLM_TIMEOUT", "5")
    result = CliRunner().invoke(rag.cli.app, ["doctor", "--skip", "embedder"])
    lines = result.stdout.splitlines()
    assert result.exit_code == 1
    assert [line.split()[1] for line in lines if not line.startswith("     fix:")] == [
        "python",
        "packages",
        "model",
        "store",
        "llm",
    ]
    assert any(line.startswith("     fix:") for line in lines)


@pytest.mark.models
def test_everything_passes_on_a_working_install(home: Path) -> None:
    code, report = doctor("--model", "small")
    assert code == 0, report
    assert [c["name"] for c in report["checks"]] == [
        "python",
        "packages",
        "model",
        "embedder",
        "store",
        "llm",
    ]
    assert all(c["ok"] and c["fix"] is None for c in report["checks"])


def test_python_is_checked_against_the_declared_requires_python(monkeypatch: pytest.MonkeyPatch) -> None:
    import rag.doctor as doctor_module

    assert doctor_module.check_python().ok
    monkeypatch.setattr(doctor_module.metadata, "metadata", lambda name: {"Requires-Python": ">=3.99"})
    check = doctor_module.check_python()
    assert not check.ok
    assert "needs >=3.99" in check.detail and check.fix and ".ci/install" in check.fix
