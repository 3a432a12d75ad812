"""The store: import, idempotence, atomic writes, concurrency, bad files."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from store.desk import ITEMS_FILE, Store
from store.disk import atomic as storage
from store.disk.layout import ITEMS_SCHEMA
from store.errors import StoreError, StoreFormatError, StoreWriteError
from tests.conftest import REPO


def test_new_store_holds_the_seed_briefs(store_dir: Path, seed_lines: list[str]) -> None:
    store = Store.open(store_dir)
    assert len(store) == 30
    items = store.items()
    assert [d["body"] for d in items] == seed_lines
    first = items[0]
    assert first["title"].startswith("The United States and some European partners")
    assert first["source"] == "briefs.txt" and first["line"] == 1 and first["position"] == 1
    assert first["imported_at"].endswith("Z")
    assert all(d["topics"] for d in items), "every seed brief sits in at least one topic"
    assert store.get(first["id"]) is first


def test_spaced_initials_title_from_the_seed(store_dir: Path) -> None:
    store = Store.open(store_dir)
    titles = [d["title"] for d in store.items()]
    assert ("The U. S. senators discussed possible options for guaranteeing security for "
            "Ukraine after the war") in titles


def test_reimport_adds_nothing(store_dir: Path) -> None:
    store = Store.open(store_dir)
    report = store.import_files([REPO / "seeds" / "briefs.txt"])
    assert (report.added, report.present) == (0, 30)
    assert report.summary() == "0 added, 30 already present"
    assert len(store) == 30


def test_empty_store_and_persisted_items(store_dir: Path, tmp_path: Path) -> None:
    Store.open(store_dir, seed=False)
    src = tmp_path / "news.txt"
    src.write_text("First brief. More.\n\nSecond brief here.\n", encoding="utf-8")
    report = Store.open(store_dir).import_files([src])
    assert report.added == 2
    reopened = Store.open(store_dir)
    assert [d["title"] for d in reopened.items()] == ["First brief", "Second brief here"]
    assert json.loads((store_dir / ITEMS_FILE).read_text())["_meta"]["1"]["schema"] == ITEMS_SCHEMA


def test_plain_import_tolerates_crlf_blank_lines_controls(store_dir: Path, tmp_path: Path) -> None:
    store = Store.open(store_dir, seed=False)
    src = tmp_path / "odd.txt"
    src.write_bytes(b"Alpha one.\r\n\r\n   \nBeta \x1b[2Jtwo\x07.\r\nGamma \xe2\x80\xae three")
    report = store.import_files([src])
    assert report.added == 3 and not report.problems
    assert [d["body"] for d in store.items()] == ["Alpha one.", "Beta [2Jtwo.", "Gamma three"]
    assert [d["line"] for d in store.items()] == [1, 4, 5]


def test_bad_lines_are_reported_and_the_rest_imported(store_dir: Path, tmp_path: Path) -> None:
    store = Store.open(store_dir, seed=False)
    src = tmp_path / "bad.txt"
    src.write_bytes(b"Good one.\nBad \xff\xfe bytes.\nNul \x00 here.\nGood two.\n")
    report = store.import_files([src])
    assert report.added == 2
    messages = [str(p) for p in report.problems]
    assert messages[0].startswith(f"{src}:2: invalid UTF-8")
    assert messages[1].startswith(f"{src}:3: contains a NUL byte")
    assert report.summary() == "2 added, 0 already present, 2 skipped"


def test_missing_file_is_a_problem_not_a_crash(store_dir: Path, tmp_path: Path) -> None:
    report = Store.open(store_dir, seed=False).import_files([tmp_path / "nope.txt"])
    assert report.added == 0 and "nope.txt" in str(report.problems[0])


def test_failed_write_leaves_the_old_file_intact(
    store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store.open(store_dir)
    before = (store_dir / ITEMS_FILE).read_bytes()
    src = tmp_path / "more.txt"
    src.write_text("A new brief that will not land.\n")

    def full_disk(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage.os, "fsync", full_disk)
    with pytest.raises(StoreWriteError, match="disk is full"):
        store.import_files([src])
    monkeypatch.undo()
    assert (store_dir / ITEMS_FILE).read_bytes() == before
    assert not [p for p in store_dir.iterdir() if p.name.endswith(".tmp")]
    assert len(Store.open(store_dir)) == 30


def test_failed_rename_leaves_the_old_file_intact(
    store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store.open(store_dir)
    before = (store_dir / ITEMS_FILE).read_bytes()
    src = tmp_path / "more.txt"
    src.write_text("Another brief.\n")

    def refuse(a: object, b: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(storage.os, "replace", refuse)
    with pytest.raises(StoreWriteError, match="read-only"):
        store.import_files([src])
    monkeypatch.undo()
    assert (store_dir / ITEMS_FILE).read_bytes() == before
    # (tree.json: the counts of the seed's import, before)
    assert sorted(p.name for p in store_dir.iterdir()) == ["backups", ITEMS_FILE, "lock",
                                                           "tree.json"]
    assert [p.name for p in (store_dir / "backups").iterdir()] == ["items.prev.json"]


def test_temp_files_never_follow_a_planted_symlink(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "victim"
    target.write_text("keep me")
    path = tmp_path / "f.json"
    monkeypatch.setattr(storage.secrets, "token_hex", lambda n: "fixed")
    (tmp_path / ".f.json.fixed.tmp").symlink_to(target)
    with pytest.raises(StoreWriteError):
        storage.atomic_write(path, b"{}")
    assert target.read_text() == "keep me"


WRITER = """
import sys
from store.desk import Store
store = Store.open(sys.argv[1], seed=False)
for n in range(int(sys.argv[3])):
    path = sys.argv[2] + f".{n}.txt"
    with open(path, "w") as fh:
        fh.write(f"Brief {n} from writer {sys.argv[4]}.\\n")
    store.import_files([path])
"""


@pytest.mark.slow
def test_concurrent_writers_lose_nothing(store_dir: Path, tmp_path: Path) -> None:
    Store.open(store_dir, seed=False)
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(store_dir), str(tmp_path / f"w{w}"),
                          "15", str(w)], cwd=REPO)
        for w in range(4)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    store = Store.open(store_dir)
    bodies = {d["body"] for d in store.items()}
    assert bodies == {f"Brief {n} from writer {w}." for n in range(15) for w in range(4)}
    positions = [d["position"] for d in store.items()]
    assert len(set(positions)) == 60


def test_another_process_change_is_seen_on_refresh(store_dir: Path, tmp_path: Path) -> None:
    mine = Store.open(store_dir, seed=False)
    other = Store.open(store_dir)
    src = tmp_path / "x.txt"
    src.write_text("Seen by the other session.\n")
    other.import_files([src])
    assert len(mine) == 0
    assert mine.refresh() is True and len(mine) == 1
    assert mine.refresh() is False


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"{not json", "not valid JSON"),
        (b"", "empty"),
        (b"[1, 2, 3]", "not a newsdesk store"),
        (b'{"items": {}}', "no schema version"),
        (b'{"_meta": {"1": {"schema": 99}}, "items": {}}', "newer newsdesk"),
        (b'{"_meta": {"1": {"schema": 1}}, "items": {"1": {"title": "x"}}}', "item 1"),
    ],
)
def test_bad_store_file_is_refused_and_never_written(
    store_dir: Path, tmp_path: Path, content: bytes, problem: str
) -> None:
    store_dir.mkdir()
    (store_dir / ITEMS_FILE).write_bytes(content)
    with pytest.raises(StoreFormatError) as info:
        Store.open(store_dir)
    message = str(info.value)
    assert problem in message and str(store_dir / ITEMS_FILE) in message
    assert (store_dir / ITEMS_FILE).read_bytes() == content


def test_folder_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="not a newsdesk store"):
        Store.open(folder)
    assert sorted(os.listdir(folder)) == ["notes.txt"]


def test_the_store_adopts_an_index_loaded_for_the_same_items_only(store_dir: Path,
                                                                   tmp_path: Path) -> None:
    """The TUI lists items from index.bin while items.json loads, then hands that index to
    the store (one map of the file, not two) — unless the items changed in between."""
    from store.search.cache import items_signature, load_index

    Store.open(store_dir).ensure_index()  # writes index.bin
    signature = items_signature(store_dir)
    index = load_index(store_dir)
    assert index is not None
    store = Store.open(store_dir, load=False)
    store.finish_open(adopt=(index, signature))
    assert store.search_index is index and store.count("tusk") == 2

    other = Store.open(store_dir)
    brief = tmp_path / "new.txt"
    brief.write_text("Donald Tusk met the press in Gdansk on Tuesday.\n")
    other.import_files([brief])  # items.json replaced: the old index is stale
    late = Store.open(store_dir, load=False)
    late.finish_open(adopt=(index, signature))
    assert late.search_index is not index
    assert late.count("tusk") == 3  # from a fresh index, not the adopted stale one


@pytest.mark.parametrize("count", [1200, 4500])  # derived in this process / in the pool
def test_import_reports_making_then_deriving_until_done(store_dir: Path, tmp_path: Path,
                                                        count: int) -> None:
    """The progress bar follows the whole import: after the items are made comes the
    derivation (most of a big import's time), not a bar sitting at 100%, then the
    write."""
    src = tmp_path / "many.txt"
    src.write_text("".join(f"Brief {n} says Donald Tusk met NATO in Warsaw about drones.\n"
                           for n in range(count)))
    calls: list[tuple[int, int, str]] = []
    report = Store.open(store_dir, seed=False).import_files(
        [src], progress=lambda done, total, stage: calls.append((done, total, stage)))
    assert report.added == count
    stages = [stage for _, _, stage in calls]
    assert stages[0] == "importing" and stages[-2:] == ["deriving", "writing"]
    assert stages == sorted(stages, key=["importing", "deriving", "writing"].index), \
        "no going back"
    deriving = [(done, total) for done, total, stage in calls if stage == "deriving"]
    assert deriving[-1] == (count, count) and len(deriving) >= 3
    assert [d for d, _ in deriving] == sorted(d for d, _ in deriving)


def test_an_import_holds_the_lock_only_to_write(store_dir: Path) -> None:
    """While an import matches and derives, another session tags and imports at once;
    the import then starts again on the new items.json, so nothing is lost."""
    from store.ingest.importers import Record

    Store.open(store_dir)
    importing = Store.open(store_dir)
    other = Store.open(store_dir)
    other._lock.timeout = 0.5  # a held lock would raise StoreBusyError quickly
    first = other.ids()[0]
    calls: list[int] = []

    def meanwhile(done: int, total: int, stage: str) -> None:
        if stage == "importing" and done == 0 and not calls:
            calls.append(done)
            assert other.state.tag([first], add=["during-import"]) is not None
            other.import_records([Record(body="Another session's brief on Riga.",
                                         source="other.txt")])

    records = [Record(body=f"Brief number {n} about Tallinn ports.", source="big.txt")
               for n in range(50)]
    report = importing.import_records(records, progress=meanwhile)
    assert calls and report.added == 50
    again = Store.open(store_dir)
    bodies = [d["body"] for d in again.items()]
    assert "Another session's brief on Riga." in bodies  # not overwritten by the retry
    assert sum(1 for b in bodies if b.startswith("Brief number")) == 50
    assert len(again) == 30 + 1 + 50 and len(set(again.ids())) == len(again)
    assert again.state.tags_of(first) == ["during-import"]
