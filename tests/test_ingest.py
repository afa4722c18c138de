"""Ingest through the desk: idempotence, updates, bad files, chunk metadata, the library views."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from rag.api import Newsdesk
from rag.articles import parse_file
from rag.chunking import chunk_article
from rag.ingest import summary
from rag.types import Article
from vectorstore import eq

TELEGRAPH = "000_2517e97f795ed248.txt"
UNDATED_SOURCE = "003_62fe3089ab312610.txt"


def expected_chunks(desk: Newsdesk, path: Path) -> list[str]:
    [article] = parse_file(path)
    return [c.id for c in chunk_article(article, desk.settings.chunk_size, desk.settings.chunk_overlap)]


def test_ingest_samples_then_again_adds_nothing(desk: Newsdesk, sample_dir: Path) -> None:
    first = desk.ingest([sample_dir])
    assert (first.articles_added, first.articles_updated, first.articles_unchanged) == (2, 0, 0)
    assert first.failed == ()
    expected = sum(len(expected_chunks(desk, p)) for p in sample_dir.glob("*.txt"))
    assert first.chunks_added == expected > 0
    assert desk.stats() == {"articles": 2, "chunks": expected}

    second = desk.ingest([sample_dir])
    assert (second.articles_added, second.articles_updated, second.articles_unchanged) == (0, 0, 2)
    assert (second.chunks_added, second.chunks_deleted) == (0, 0)
    assert desk.stats() == {"articles": 2, "chunks": expected}


def test_progress_is_reported(desk: Newsdesk, sample_dir: Path) -> None:
    calls: list[tuple[int, int, str]] = []
    report = desk.ingest([sample_dir], progress=lambda done, total, name: calls.append((done, total, name)))
    assert calls, "progress was never called"
    assert calls[-1][0] == calls[-1][1] == report.chunks_added
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)


def test_changed_article_replaces_its_chunks(desk: Newsdesk, sample_dir: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(sample_dir, corpus)
    desk.ingest([corpus])
    [old] = parse_file(corpus / TELEGRAPH)
    old_ids = {r.id for r in desk.store.get(where=eq("article_id", old.id), texts=False)}
    assert old_ids == set(expected_chunks(desk, corpus / TELEGRAPH))

    path = corpus / TELEGRAPH
    text = path.read_text(encoding="utf-8")
    assert "around 850 troops" in text
    path.write_text(text.replace("around 850 troops", "around 900 troops"), encoding="utf-8")
    [new] = parse_file(path)
    assert new.id == old.id and new.content_hash != old.content_hash

    report = desk.ingest([corpus])
    assert (report.articles_added, report.articles_updated, report.articles_unchanged) == (0, 1, 1)
    new_ids = set(expected_chunks(desk, path))
    assert report.chunks_deleted == len(old_ids - new_ids) > 0
    stored = desk.store.get(where=eq("article_id", new.id))
    assert {r.id for r in stored} == new_ids
    assert not any("850 troops" in r.text for r in desk.store.scan())
    assert any("900 troops" in r.text for r in stored)
    assert all(r.metadata["content_hash"] == new.content_hash for r in stored)
    other = len(expected_chunks(desk, corpus / UNDATED_SOURCE))
    assert desk.stats() == {"articles": 2, "chunks": len(new_ids) + other}


def test_bad_files_are_reported_and_the_good_one_ingested(
    desk: Newsdesk, sample_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(sample_dir / TELEGRAPH, folder / "good.txt")
    (folder / "binary.txt").write_bytes(b"PK\x03\x04\x00\x00" + bytes(range(256)) * 4)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "garbage.txt").write_bytes(
        bytes([1, 2, 3, 4, 5, 6, 7, 8, 0x0E, 0x0F, 0x10, 0xFF, 0xFE, 0x81]) * 80
    )
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x01" * 64)

    report = desk.ingest([folder])
    assert report.articles_added == 1
    reasons = {Path(f.path).name: f.reason for f in report.failed}
    assert set(reasons) == {"binary.txt", "empty.txt", "garbage.txt", "photo.png"}
    assert reasons["binary.txt"] == "binary file"
    assert reasons["empty.txt"] == "empty file"
    assert reasons["photo.png"] == "unknown format '.png'"
    assert reasons["garbage.txt"]  # some readable reason
    assert desk.stats()["articles"] == 1
    data = summary(report)
    assert {"path", "reason"} <= set(data["failed"][0])


def test_missing_path_is_a_failure_not_a_crash(desk: Newsdesk, tmp_path: Path) -> None:
    report = desk.ingest([tmp_path / "nope.txt"])
    assert report.articles_added == 0
    assert [f.reason for f in report.failed] == ["no such file"]


def test_chunk_metadata_points_into_the_article(desk: Newsdesk, sample_dir: Path) -> None:
    desk.ingest([sample_dir])
    records = list(desk.store.scan())
    assert records
    articles = {str(p): parse_file(p)[0] for p in sample_dir.glob("*.txt")}
    for rec in records:
        m = rec.metadata
        article = articles[m["path"]]
        assert m["article_id"] == article.id
        assert m["title"] == article.title
        assert m["url"] == (article.url or "")
        assert m["published"] == (article.published.isoformat() if article.published else "")
        assert m["published_int"] == int(article.published.strftime("%Y%m%d"))  # the store's date shadow
        assert m["source"] == (article.source or "")
        assert m["content_hash"] == article.content_hash
        assert article.text[m["start"] : m["end"]] == rec.text
    by_article = {a.id: a for a in articles.values()}
    tele = next(a for a in by_article.values() if a.source == "telegraph.co.uk")
    assert tele.published == date(2022, 1, 26)
    indexes = sorted(r.metadata["index"] for r in records if r.metadata["article_id"] == tele.id)
    assert indexes == list(range(len(indexes)))


def test_duplicate_articles_in_one_batch_count_once(desk: Newsdesk) -> None:
    body = "The harbour bridge reopened on Sunday after eight months of repairs costing four million pounds."
    one = Article(id="same", title="Bridge", text=body, content_hash="h1")
    two = Article(id="same", title="Bridge again", text=body + " More text.", content_hash="h2")
    report = desk.ingest_articles([one, two])
    assert report.articles_added == 1
    [rec] = desk.store.scan()
    assert rec.metadata["title"] == "Bridge"


def test_list_delete_and_sources(desk: Newsdesk, sample_dir: Path) -> None:
    desk.ingest([sample_dir])
    listed = desk.list_articles()
    assert [a["published"] for a in listed] == ["2022-01-26", "2022-01-21"]
    tele, other = listed
    assert tele["source"] == "telegraph.co.uk" and tele["url"].startswith("https://www.telegraph.co.uk/")
    assert other["source"] is None and other["url"] is None
    assert tele["chunks"] + other["chunks"] == desk.stats()["chunks"]
    assert tele["chunks"] == len(expected_chunks(desk, sample_dir / TELEGRAPH))
    assert desk.sources() == ["telegraph.co.uk"]

    assert desk.delete_article(tele["id"]) == tele["chunks"]
    assert desk.stats() == {"articles": 1, "chunks": other["chunks"]}
    assert [a["id"] for a in desk.list_articles()] == [other["id"]]
    assert desk.sources() == []
    assert desk.delete_article(tele["id"]) == 0
    assert desk.delete_article("no-such-article") == 0

    # Ingesting again brings it back as added, not unchanged.
    again = desk.ingest([sample_dir])
    assert (again.articles_added, again.articles_unchanged) == (1, 1)


# --- ids that must not collide ----------------------------------------------------------------------


def test_different_articles_with_one_id_are_reported_not_dropped(desk: Newsdesk) -> None:
    body = "The harbour bridge reopened on Sunday after eight months of repairs costing four million pounds."
    one = Article(id="same", title="Bridge", text=body, url="https://a.example/live", path="a.json#1")
    two = Article(
        id="same", title="Ferry", text="The ferry now runs at night, the council said.", path="a.json#2"
    )
    report = desk.ingest_articles([one, two, one])
    assert report.articles_added == 1
    [failure] = report.failed
    assert failure.path == "a.json#2"
    assert failure.reason.startswith("same id as a.json#1")
    [rec] = desk.store.scan()
    assert rec.metadata["title"] == "Bridge"


def test_identical_duplicates_are_deduplicated_silently(desk: Newsdesk) -> None:
    body = "The harbour bridge reopened on Sunday after eight months of repairs costing four million pounds."
    one = Article(id="same", title="Bridge", text=body, path="a.txt")
    again = Article(id="same", title="Bridge", text=body, path="copy/a.txt")
    report = desk.ingest_articles([one, again])
    assert (report.articles_added, report.failed) == (1, ())


def _home_page_records(titles: list[str]) -> str:
    import json

    return json.dumps(
        [
            {
                "title": t,
                "text": f"{t} happened in the town on Monday, officials said.",
                "url": "https://example.com/",
            }
            for t in titles
        ]
    )


def test_articles_sharing_a_home_page_url_are_all_ingested(desk: Newsdesk, tmp_path: Path) -> None:
    # A scraper that saved the front page's URL for every story: five different articles, one URL.
    titles = ["Bridge reopens", "Ferry adds route", "Mayor re-elected", "Storm closes port", "School expands"]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "front.json").write_text(_home_page_records(titles), encoding="utf-8")
    report = desk.ingest([folder])
    assert (report.articles_added, report.failed) == (5, ())
    assert desk.stats()["articles"] == 5


def test_a_later_file_does_not_update_an_unrelated_article_away(desk: Newsdesk, tmp_path: Path) -> None:
    (tmp_path / "monday.json").write_text(_home_page_records(["Bridge reopens"]), encoding="utf-8")
    (tmp_path / "tuesday.json").write_text(_home_page_records(["Ferry adds route"]), encoding="utf-8")
    desk.ingest([tmp_path / "monday.json"])
    report = desk.ingest([tmp_path / "tuesday.json"])
    assert (report.articles_added, report.articles_updated) == (1, 0)
    assert {a["title"] for a in desk.list_articles()} == {"Bridge reopens", "Ferry adds route"}


def test_fragment_urls_of_different_articles_are_reported(desk: Newsdesk, tmp_path: Path) -> None:
    import json

    records = [
        {
            "title": f"Update {n}",
            "text": f"Update number {n} from the live blog about the storm.",
            "url": f"https://example.com/news/live-storm#post-{n}",
        }
        for n in (1, 2)
    ]
    (tmp_path / "live.json").write_text(json.dumps(records), encoding="utf-8")
    report = desk.ingest([tmp_path / "live.json"])
    assert report.articles_added == 1
    [failure] = report.failed
    assert failure.path.endswith("live.json#2") and "duplicate URL" in failure.reason


def test_a_file_with_a_few_bad_bytes_is_kept_and_the_report_says_so(desk, tmp_path) -> None:
    text = "Mayor Inés Núñez won a third term with 58 percent of the vote in the city election on Sunday."
    path = tmp_path / "stray.txt"
    path.write_bytes(text.encode() + b" Turnout was \xff\xfe\xff high.")
    report = desk.ingest([path])
    assert report.articles_added == 1 and not report.failed
    assert [w.path for w in report.warnings] == [str(path)]
    assert "U+FFFD" in report.warnings[0].reason


def test_a_second_writer_is_told_the_store_is_busy(desk, sample_dir) -> None:
    """Another process writing the same embedded store: ingest refuses with who and since when."""
    import subprocess
    import sys

    import pytest

    from rag.errors import StoreError

    desk.ingest([sample_dir])  # the store exists
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from vectorstore import ChromaStore\n"
            f"s = ChromaStore(path=Path({str(desk.settings.store)!r}), collection={desk.settings.collection!r})\n"
            "with s.writing():\n    print('locked', flush=True); time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(StoreError, match=rf"busy: being written by PID {holder.pid} since"):
            desk.ingest([sample_dir])
        with pytest.raises(StoreError, match="busy"):
            desk.delete_article(desk.list_articles()[0]["id"])
    finally:
        holder.kill()
        holder.wait()
    assert desk.ingest([sample_dir]).articles_unchanged == 2  # free again once the other writer is gone
