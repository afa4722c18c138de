"""A fake desk for the warm server's tests, and a server run in a thread in place of a spawned one."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from rag.desk import StreamEvent
from rag.settings import Settings
from rag.types import Answer, Passage, Retrieval
from rag.warm import server as warm_server

PASSAGE = Passage(
    chunk_id="c1",
    article_id="a1",
    title="Launchers",
    text="The UK sent 2,000 launchers.",
    start=0,
    end=28,
    score=1.0,
    url="https://example.com/a1",
)


@dataclass
class FakeDesk:
    """Answers "2,000 [1]." in three pieces; raises ``fail`` instead when it is set."""

    settings: Settings
    warm_seconds: float = 0.0
    fail: BaseException | None = None
    questions: list[str] = field(default_factory=list)
    closed: bool = False

    def warm_up(self) -> None:
        time.sleep(self.warm_seconds)

    def ask_stream(
        self,
        question: str,
        *,
        history: Sequence[tuple[str, str]] = (),
        k: int | None = None,
        filters: Any = None,
        choices: Sequence[str] = (),
    ) -> Iterator[StreamEvent]:
        self.questions.append(question)
        if self.fail is not None:
            raise self.fail
        yield Retrieval(question=question, standalone_question=question, passages=(PASSAGE,), seconds=0.1)
        yield from ("2,0", "00 ", "[1].")
        yield Answer(
            question=question, answer="2,000 [1].", abstained=False, passages=(PASSAGE,), model="fake"
        )

    def close(self) -> None:
        self.closed = True


class ThreadServer:
    """``rag.warm.server.run`` in a thread: what ``python -m rag.warm.server`` does, in-process."""

    def __init__(self, settings: Settings, desk: Any, idle: float = 0.0) -> None:
        self.desk = desk
        self.ready = threading.Event()
        self.why: str | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(settings, idle), daemon=True)
        self.thread.start()

    def _run(self, settings: Settings, idle: float) -> None:
        try:
            self.why = warm_server.run(
                settings, lambda _s: self.desk, idle=idle, ready=lambda _st: self.ready.set()
            )
        except BaseException as exc:
            self.error = exc
            self.ready.set()

    # What client._wait_ready asks of a spawned process.
    returncode: int | None = None

    def poll(self) -> int | None:
        if self.thread.is_alive():
            return None
        self.returncode = 1 if self.error else 0
        return self.returncode

    def ended(self, timeout: float = 10.0) -> bool:
        self.thread.join(timeout)
        return not self.thread.is_alive()
