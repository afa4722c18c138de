"""The lock files still satisfy pyproject.toml.

A dependency added to pyproject.toml without refreshing the locks (bash
.ci/lock) would install on a developer's machine that happens to have it and
fail on a fresh one; this test fails first.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
# Each lock, with the extras it must cover.
LOCKS = {
    "requirements.lock": ("model",),
    "requirements-test.lock": ("model-small", "eval", "test"),
}
PY311 = {"python_version": "3.11", "python_full_version": "3.11.7", "extra": ""}


def pins(lock: str) -> dict[str, list[tuple[Version, str]]]:
    """``name -> [(version, marker text)]`` from a hashed requirements file."""
    found: dict[str, list[tuple[Version, str]]] = {}
    text = (ROOT / lock).read_text()
    for entry in re.split(r"\n(?=[A-Za-z0-9])", text):
        line = entry.split("\\\n")[0].strip()
        if not line or line.startswith("#"):
            continue
        assert "--hash=sha256:" in entry, f"{lock}: {line} has no hash"
        req = Requirement(line.split(" #")[0].strip())
        (version,) = [Version(s.version) for s in req.specifier]
        found.setdefault(canonicalize_name(req.name), []).append((version, str(req.marker or "")))
    return found


def required(extras: tuple[str, ...]) -> list[Requirement]:
    reqs = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
    for extra in extras:
        reqs += [Requirement(r) for r in PYPROJECT["project"]["optional-dependencies"][extra]]
    return reqs


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_every_requirement_is_pinned_at_an_accepted_version(lock: str) -> None:
    locked = pins(lock)
    for req in required(LOCKS[lock]):
        name = canonicalize_name(req.name)
        assert name in locked, f"{req.name} is in pyproject.toml but not in {lock}: run bash .ci/lock"
        for version, marker in locked[name]:
            if marker and not Requirement(f"x; {marker}").marker.evaluate(PY311):  # type: ignore[union-attr]
                continue
            assert req.specifier.contains(version, prereleases=True), (
                f"{lock} pins {req.name}=={version}, outside {req.specifier}: run bash .ci/lock"
            )


def test_shared_packages_have_one_version_in_both_locks() -> None:
    app, test = pins("requirements.lock"), pins("requirements-test.lock")
    differ = {n: (app[n], test[n]) for n in app.keys() & test.keys() if app[n] != test[n]}
    assert not differ


def test_the_default_install_needs_no_pytorch() -> None:
    assert "torch" not in pins("requirements.lock")
