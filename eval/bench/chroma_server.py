"""A ``chroma run`` server on a free loopback port: the store a bench (or a test) talks to over HTTP.

The real server, started for real: ``newsdesk bench scale --server`` measures the same steps
against it as against the embedded store, and the store tests run their contract on it.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ChromaServer", "chroma_command", "chroma_server"]


@dataclass(frozen=True)
class ChromaServer:
    url: str
    pid: int
    folder: Path


def chroma_command() -> Path | None:
    """The ``chroma`` command of this environment, or ``None`` when it is not installed."""
    found = shutil.which("chroma")
    path = Path(found) if found else Path(sys.executable).with_name("chroma")
    return path if path.exists() else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def chroma_server(folder: Path, *, wait: float = 60) -> Iterator[ChromaServer]:
    """``chroma run --path folder`` until the block ends; ``RuntimeError`` when it is missing or
    does not answer within ``wait`` seconds."""
    from vectorstore import StoreUnavailable, open_store

    chroma = chroma_command()
    if chroma is None:
        raise RuntimeError("the chroma command is not installed (it comes with the chromadb package)")
    folder.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(folder), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                open_store(url=url, collection="probe")
                break
            except StoreUnavailable:
                if proc.poll() is not None:
                    raise RuntimeError(f"chroma run exited with code {proc.returncode}") from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"chroma run did not answer at {url} within {wait:.0f} s") from None
                time.sleep(0.5)
        yield ChromaServer(url, proc.pid, folder)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
