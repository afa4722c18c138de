"""Saved conversations without a browser: files, damage, ids, and the Markdown and plain text they give."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_ui_format import answer, cite

from rag.types import Filters
from ui import turns as tn
from ui.conversations import Conversations, Damaged, conversations_folder, new_id
from ui.plain import applied_filters, plain_answer


def test_the_folder_is_beside_the_store(tmp_path: Path) -> None:
    assert conversations_folder(tmp_path / "store") == tmp_path / "conversations"


def test_save_is_atomic_and_reads_back(tmp_path: Path) -> None:
    saved = Conversations(tmp_path / "conversations")
    conv = new_id()
    turn = tn.answered("How many?", answer("They sent 2,000 [1].", (cite(),)), 0, "Filters: as of 2022-01-22")
    saved.save(conv, "How many?", [tn.to_record(turn)])
    saved.save(conv, "How many?", [tn.to_record(turn), tn.to_record(tn.stopped("And then?"))])
    assert [p.name for p in saved.folder.iterdir()] == [f"{conv}.json"]  # no temporary file left
    back = [tn.from_record(r, i) for i, r in enumerate(saved.load(conv)["turns"])]
    assert back[0].bot_html == turn.bot_html and back[1].kind == tn.STOPPED
    assert saved.list()[0].title == "How many?"


def test_a_damaged_file_is_listed_as_damaged_and_never_stops_the_others(tmp_path: Path) -> None:
    saved = Conversations(tmp_path)
    good, bad, odd = new_id(), new_id(), new_id()
    saved.save(good, "Fine", [])
    (tmp_path / f"{bad}.json").write_text("{ half a fi", encoding="utf-8")
    (tmp_path / f"{odd}.json").write_text(json.dumps(["not", "a", "conversation"]), encoding="utf-8")
    listed = {s.id: s for s in saved.list()}
    assert listed[good].damaged == "" and listed[bad].damaged and listed[odd].damaged
    with pytest.raises(Damaged):
        saved.load(bad)
    assert (tmp_path / f"{bad}.json").read_text(encoding="utf-8") == "{ half a fi"  # kept as it was


def test_ids_cannot_name_other_files(tmp_path: Path) -> None:
    saved = Conversations(tmp_path)
    for bad in ("../secret", "", "x" * 32, "A" * 32):
        with pytest.raises(Damaged):
            saved.load(bad)


def test_plain_text_and_markdown_carry_the_references() -> None:
    a = answer("They sent 2,000 [1].", (cite(),))
    applied = applied_filters(Filters.model_validate({"as_of": "2022-01-22", "sources": ["x.test"]}))
    assert applied == "Filters: from x.test · as of 2022-01-22"
    assert plain_answer(a, applied) == (
        "They sent 2,000 [1].\n\n[1] UK arms Ukraine — Example News, 2022-01-21, https://x.test/a\n\n"
        + applied
    )
    md = tn.markdown(tn.answered("How *many*?", a, 0, applied))
    assert md.startswith("## How \\*many\\*?") and "\\[1\\] [UK arms Ukraine](<https://x.test/a>)" in md


def test_behind_a_login_each_user_sees_and_opens_only_their_own(tmp_path: Path) -> None:
    saved = Conversations(tmp_path)
    ann, bob = new_id(), new_id()
    saved.save(ann, "Ann's", [], owner="ann")
    saved.save(bob, "Bob's", [], owner="bob")
    assert [s.title for s in saved.list("ann")] == ["Ann's"]
    assert {s.title for s in saved.list()} == {"Ann's", "Bob's"}  # no login: one user, everything
    with pytest.raises(FileNotFoundError):
        saved.load(bob, "ann")
    with pytest.raises(FileNotFoundError):
        saved.delete(bob, "ann")
    assert saved.load(bob, "bob")["title"] == "Bob's"


def test_the_handlers_scope_by_the_requests_login(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from ui.saved import SavedConversations, owner_of

    handler = SavedConversations()
    handler.saved = Conversations(tmp_path)
    ann = SimpleNamespace(username="ann")
    turn = tn.answered("How many?", answer("They sent 2,000 [1].", (cite(),)), 0, "")
    conv, _, _ = handler.save(None, [turn], owner_of(ann))  # type: ignore[arg-type]
    assert conv and handler.saved.load(conv)["owner"] == "ann"
    # Bob's browser holding Ann's id opens nothing and, saving, starts his own conversation.
    bob = SimpleNamespace(username="bob")
    assert handler.restore(conv, bob)[3] is None  # type: ignore[arg-type]
    theirs, _, _ = handler.save(conv, [turn], owner_of(bob))  # type: ignore[arg-type]
    assert theirs != conv and handler.saved.load(conv)["owner"] == "ann"
    assert owner_of(None) is None and owner_of(SimpleNamespace(username=None)) is None  # type: ignore[arg-type]
