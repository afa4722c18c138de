"""The lock installs as locked into a new venv, whatever the index publishes later.

A lock is a promise about the future: the day uvicorn 0.55 came out, `pip install
--require-hashes -r requirements.lock` with the pip that `python -m venv` brings
(23.2.1 on Python 3.11) stopped with "all requirements must have their versions
pinned with ==": chromadb asks for `uvicorn[standard]`, and that pip looked the extra up
against the newest release on the index instead of the locked one.

These tests rebuild that situation offline: a local folder of wheels where the locked
`fakeserver 1.0` has a newer `fakeserver 99.0` beside it, and `fakeapp` asks for
`fakeserver[standard]`. Every supported Python found on the machine gets a new venv
with its own bundled pip, installed the way the README and CI install (`.ci/install`).
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
INSTALL = ROOT / ".ci" / "install"
PIP_LOCK = ROOT / ".ci" / "pip.lock"
SUPPORTED = ("3.11", "3.12", "3.13")  # pyproject's requires-python; .ci/install checks the same


def _wheel(folder: Path, name: str, version: str, metadata: list[str]) -> Path:
    """A minimal valid wheel: one module, METADATA, WHEEL and RECORD."""
    path = folder / f"{name}-{version}-py3-none-any.whl"
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": f'VERSION = "{version}"\n',
        f"{dist}/METADATA": "\n".join(
            ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}", *metadata]
        )
        + "\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: newsdesk-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for arc, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{arc},sha256={digest},{len(text.encode())}")
    record.append(f"{dist}/RECORD,,")
    files[f"{dist}/RECORD"] = "\n".join(record) + "\n"
    with zipfile.ZipFile(path, "w") as zf:
        for arc, text in files.items():
            zf.writestr(arc, text)
    return path


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def pinned_pip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of .ci/pip.lock, fetched once through pip's configured index and hash-checked."""
    folder = tmp_path_factory.mktemp("pinned-pip")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--require-hashes"]
        + ["-r", str(PIP_LOCK), "-d", str(folder)],
        capture_output=True,
        text=True,
    )
    wheels = list(folder.glob("pip-*.whl"))
    if done.returncode != 0 or not wheels:
        pytest.skip(f"no package index reachable for the pinned pip: {done.stderr.strip()[-300:]}")
    return wheels[0]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, pinned_pip: Path) -> tuple[Path, Path]:
    """(find-links folder, lock): the locked fakeserver 1.0 and a newer 99.0 side by side."""
    wheels = tmp_path_factory.mktemp("wheels")
    server = ["Provides-Extra: standard", 'Requires-Dist: fakeextra; extra == "standard"']
    locked = [
        _wheel(wheels, "fakeapp", "1.0", ["Requires-Dist: fakeserver[standard]>=0.1"]),
        _wheel(wheels, "fakeserver", "1.0", server),
        _wheel(wheels, "fakeextra", "1.0", []),
    ]
    _wheel(wheels, "fakeserver", "99.0", server)  # released after the lock was written
    shutil.copy(pinned_pip, wheels)
    lock = wheels.parent / "fake.lock"
    lock.write_text(
        "".join(f"{w.name.split('-')[0]}==1.0 \\\n    --hash=sha256:{_sha256(w)}\n" for w in locked)
    )
    return wheels, lock


def _python(version: str) -> str | None:
    """A working CPython of this version with venv and ensurepip: on PATH, or under pyenv's versions."""
    candidates = [shutil.which(f"python{version}") or ""]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates += sorted(str(p) for p in pyenv.glob(f"{version}.*/bin/python{version}"))
    for exe in filter(None, candidates):
        probe = "import sys, ensurepip, venv; print('%d.%d' % sys.version_info[:2])"
        done = subprocess.run([exe, "-c", probe], capture_output=True, text=True)
        if done.returncode == 0 and done.stdout.strip() == version:
            return exe
    return None


def _pythons() -> list[object]:
    """Every supported CPython on this machine, by version (the one running the tests always counts)."""
    found = {f"{sys.version_info[0]}.{sys.version_info[1]}": getattr(sys, "_base_executable", sys.executable)}
    for version in SUPPORTED:
        exe = found.get(version) or _python(version)
        if exe:
            found[version] = exe
    return [pytest.param(found[v], id=f"python{v}") for v in sorted(found)]


def _offline_env(wheels: Path) -> dict[str, str]:
    """pip sees only the local folder: no config files, no index, no cache, no machine-wide settings."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(("PIP_", "VIRTUAL_ENV", "PYTHON"))}
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(wheels),
        PIP_NO_CACHE_DIR="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return env


def _installed(venv: Path, name: str) -> str | None:
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", f"import {name}; print({name}.VERSION)"],
        capture_output=True,
        text=True,
    )
    return done.stdout.strip() if done.returncode == 0 else None


@pytest.mark.parametrize("python", _pythons())
def test_the_install_path_keeps_the_locked_version_when_a_newer_one_is_published(
    python: str, index: tuple[Path, Path], tmp_path: Path
) -> None:
    wheels, lock = index
    venv = tmp_path / "venv"
    env = _offline_env(wheels) | {"PYTHON": python}
    done = subprocess.run(
        ["bash", str(INSTALL), "--venv", str(venv), "--lock", str(lock), "--no-project"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert _installed(venv, "fakeserver") == "1.0"
    assert _installed(venv, "fakeextra") == "1.0"  # the extra chromadb-like packages ask for came too


def test_the_bundled_pip_alone_breaks_on_the_same_index(index: tuple[Path, Path], tmp_path: Path) -> None:
    """The old install path, for contrast: a new venv's own pip, straight at the lock.

    Shows the index above really reproduces the failure, so the test before it means something.
    Python 3.11's venv brings pip 23.2.1; a Python whose bundled pip already copes is skipped.
    """
    wheels, lock = index
    venv = tmp_path / "venv"
    env = _offline_env(wheels)
    subprocess.run(
        [getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(venv)], check=True, env=env
    )
    version = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "--version"], capture_output=True, text=True, env=env
    ).stdout.split()[1]
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--require-hashes", "-r", str(lock)],
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode == 0 and _installed(venv, "fakeserver") == "1.0":
        pytest.skip(f"this Python's bundled pip {version} installs the lock as locked")
    assert "must have their versions pinned" in done.stderr, done.stderr


def test_install_refuses_an_unsupported_python_before_downloading(tmp_path: Path) -> None:
    python = _python("3.10")
    if python is None:
        pytest.skip("no Python 3.10 on this machine")
    done = subprocess.run(
        ["bash", str(INSTALL), "--venv", str(tmp_path / "venv"), "--python", python],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "needs Python 3.11, 3.12 or 3.13" in done.stderr
    assert not (tmp_path / "venv").exists()
