"""HTML pages (``.html``/``.htm``): main text and metadata via trafilatura.

Main-text extraction is trafilatura's job (it knows navigation, footers and
comment sections); this module only maps its result onto an ``Article`` and
falls back to ``<title>`` when trafilatura finds no title.
"""

from __future__ import annotations

from html.parser import HTMLParser

from rag.articles.build import make_article
from rag.errors import ArticleError
from rag.types import Article


class _TitleParser(HTMLParser):
    """Collects the text of the first ``<title>`` element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.inside = False
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title" and not self.done:
            self.inside = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self.inside:
            self.inside = False
            self.done = True

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.parts.append(data)


def html_title(html: str) -> str | None:
    """The document's ``<title>`` text, or ``None``."""
    parser = _TitleParser()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # malformed markup: use what was read so far
        pass
    title = " ".join("".join(parser.parts).split())
    return title or None


def _without_heading(text: str, title: str | None) -> str:
    """Drops a first line that repeats the title: the page's ``<h1>`` is the title, not body."""
    first, _, rest = text.strip().partition("\n")
    if title and rest.strip() and " ".join(first.split()).casefold() == " ".join(title.split()).casefold():
        return rest
    return text


def parse_html(html: str, *, path: str | None = None, stem: str = "") -> list[Article]:
    """One article: trafilatura's main text, with its title, date, URL, site name and author."""
    try:
        import trafilatura  # ~0.2 s to import: paid by the first HTML file, not by every command

        doc = trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, include_tables=True, include_images=False
        )
    except Exception as error:  # third-party parser on untrusted input: any failure is this file's
        raise ArticleError(f"could not read HTML ({type(error).__name__})") from error
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or not text.strip():
        raise ArticleError("no article text found")
    title = getattr(doc, "title", None) or html_title(html)
    article = make_article(
        text=_without_heading(text, title),
        title=title,
        url=getattr(doc, "url", None),
        published=getattr(doc, "date", None),
        source=getattr(doc, "sitename", None),
        author=getattr(doc, "author", None),
        path=path,
        stem=stem,
    )
    if article is None:
        raise ArticleError("no article text found")
    return [article]
