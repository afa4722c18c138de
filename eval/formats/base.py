"""The registry's light part: the error every format raises, the probe detection reads, the protocol.

Nothing here imports a parser, so ``newsdesk eval --help`` can list the format
names without loading any format.
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from rag.errors import NewsdeskError

if TYPE_CHECKING:
    from eval.questions import Question
    from rag.types import Article


class QuestionSetError(NewsdeskError):
    """A question set or corpus file cannot be read; the message says which and why."""


class Probe:
    """An existing path as format detection sees it: its name, and for JSON its first record (read once)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name.lower()
        self.suffix = path.suffix.lower()
        self.invalid: str | None = None  # why the file is not JSON, once ``record`` found it is not

    @cached_property
    def record(self) -> Any:
        """The first record of a ``.json``/``.jsonl`` file (``None`` for anything else or bad JSON)."""
        if self.path.is_dir() or self.suffix not in (".json", ".jsonl"):
            return None
        try:
            with self.path.open(encoding="utf-8-sig") as handle:
                if self.suffix == ".jsonl":
                    return next((json.loads(line) for line in handle if line.strip()), None)
                data = json.load(handle)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            self.invalid = str(exc)
            return None
        return data[0] if isinstance(data, list) and data else data

    def has(self, *fields: str) -> bool:
        """True when the first record is an object with every one of ``fields``."""
        return isinstance(self.record, dict) and all(f in self.record for f in fields)


class QuestionFormat(Protocol):
    """One question-set format. ``load_corpus`` returns ``None`` for plain files left to ``ingest``."""

    name: str

    def detect(self, probe: Probe) -> bool: ...

    def load_questions(self, path: Path) -> list[Question]: ...

    def load_corpus(self, path: Path) -> list[Article] | None: ...
