"""Typed errors: every failure a user can cause or meet has its own class.

The CLI prints ``str(error)`` as one line and the UI shows it as a warning, so
messages are written for a person: what went wrong and what to do about it.
"""

from __future__ import annotations


class NewsdeskError(Exception):
    """Base class of every error newsdesk raises on purpose."""


class ConfigError(NewsdeskError):
    """Settings are invalid or contradict each other."""


class QuestionError(NewsdeskError):
    """The question is empty or too long."""


class EmptyStoreError(NewsdeskError):
    """The store holds no articles yet, so there is nothing to answer from."""


class StoreError(NewsdeskError):
    """The vector store could not be opened, reached, read or written; the message says what to do."""


class StoreBusyError(StoreError):
    """Another writer holds the store, so nothing can be written to it until that one finishes.

    ``holder`` ("PID 123", "PID 123 on host-b", or None when unknown) and ``since`` (local
    time, or None) say who and since when, so a caller can stop a batch without parsing text.
    """

    def __init__(self, message: str, *, holder: str | None = None, since: str | None = None) -> None:
        super().__init__(message)
        self.holder = holder
        self.since = since


class ModelNotFoundError(NewsdeskError):
    """A local model's weights are not installed or fail their checksum."""


class LLMUnavailableError(NewsdeskError):
    """The language model server could not be started or reached."""


class EmbeddingError(NewsdeskError):
    """The embedding model could not be loaded or failed to embed."""


class ArticleError(NewsdeskError):
    """A file could not be read as articles; the message is the reason."""


class PdfError(ArticleError):
    """A PDF could not be read: damaged, not a PDF at all, too many pages, or no text on any page."""


class EncryptedPdfError(PdfError):
    """A PDF that needs a password to open; newsdesk never asks for one."""


class ScannedPdfError(PdfError):
    """A PDF whose pages are images without a text layer; ``pages`` (1-based) need OCR first."""

    def __init__(self, message: str, pages: tuple[int, ...] = ()) -> None:
        super().__init__(message)
        self.pages = pages


class PromptError(NewsdeskError):
    """A prompt template is missing or does not have the variables it needs."""
