"""Issue 18: the items in segments. An import writes only the tail and the segments it
changed; a store of the old layout is converted once, with a backup; damage names the
segment file; two sessions still see each other's imports."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from store.desk import Store
from store.disk import segments
from store.disk.layout import BACKUP_DIR, ITEMS_FILE, SEGMENT_DIR, V1_ITEMS
from store.doctor import check_store, restore_store
from store.errors import StoreFormatError
from store.ingest.importers.records import Record
from tui.cli import main

SMALL = 10


@pytest.fixture(autouse=True)
def small_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    """Segments of ten items, so a few dozen items make several."""
    monkeypatch.setattr(segments, "SEGMENT_ITEMS", SMALL)
    monkeypatch.setattr("store.desk.SEGMENT_ITEMS", SMALL)


def records(n: int, start: int = 0) -> list[Record]:
    return [Record(body=f"Brief number {k} about the port of Tallinn and its ferries.",
                   source="briefs.txt", title=f"Brief {k}") for k in range(start, start + n)]


def sealed(root: Path) -> dict[str, int]:
    """Segment file name -> inode, of the files on disk."""
    return {p.name: p.stat().st_ino for p in sorted((root / SEGMENT_DIR).glob("seg-*.json"))}


def listed(root: Path) -> list[str]:
    head = json.loads((root / ITEMS_FILE).read_text(encoding="utf-8"))
    return [s["file"] for s in head["_meta"]["1"].get("segments", [])]


def test_an_import_writes_only_the_tail_and_new_segments(store_dir: Path) -> None:
    store = Store.open(store_dir, seed=False)
    store.import_records(records(25))
    assert len(listed(store_dir)) == 2  # 20 sealed, 5 in items.json
    head = json.loads((store_dir / ITEMS_FILE).read_text(encoding="utf-8"))
    assert len(head["items"]) == 5
    before = sealed(store_dir)
    store.import_records(records(3, start=25))
    assert sealed(store_dir) == before  # the sealed segments were not touched
    reopened = Store.open(store_dir)
    assert [d["title"] for d in reopened.items()] == [f"Brief {k}" for k in range(28)]
    assert reopened.search("tallinn", order="original") == reopened.ids()
    # Filling the tail seals it into a new segment; the old ones stay as they were.
    reopened.import_records(records(5, start=28))
    after = sealed(store_dir)
    assert {k: after[k] for k in before} == before and len(after) == 3
    assert len(Store.open(store_dir)) == 33


def test_a_crash_before_items_json_is_replaced_leaves_the_store_as_it_was(
        store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(store_dir, seed=False)
    store.import_records(records(15))
    files = listed(store_dir)
    original = segments.AtomicJSONStorage.write

    def crash(self: object, data: dict) -> None:
        raise OSError("killed")

    monkeypatch.setattr(segments.AtomicJSONStorage, "write", crash)
    with pytest.raises(OSError):
        Store.open(store_dir).import_records(records(10, start=15))
    monkeypatch.setattr(segments.AtomicJSONStorage, "write", original)
    assert len(sealed(store_dir)) > len(files)  # the new segment was written, unlisted
    again = Store.open(store_dir)
    assert len(again) == 15 and listed(store_dir) == files
    again.import_records(records(1, start=15))  # the next write removes the orphan
    assert set(sealed(store_dir)) == set(listed(store_dir))


def test_old_segments_are_kept_one_write_for_readers_and_restore(store_dir: Path) -> None:
    store = Store.open(store_dir, seed=False)
    store.import_records(records(12))
    first = listed(store_dir)
    store.retopic(subjects=True)  # rewrites every segment under new names
    second = listed(store_dir)
    assert set(first).isdisjoint(second) and set(first) <= set(sealed(store_dir))
    store.retopic(subjects=True)
    assert set(sealed(store_dir)) == set(listed(store_dir)) | set(second)
    assert set(first).isdisjoint(sealed(store_dir))


def test_a_missing_or_broken_segment_is_named_and_doctor_restores(store_dir: Path) -> None:
    store = Store.open(store_dir, seed=False)
    store.import_records(records(12))
    store.import_records(records(10, start=12))  # seals 10..19 in a second segment
    newest = listed(store_dir)[-1]
    (store_dir / SEGMENT_DIR / newest).write_text("{not json", encoding="utf-8")
    with pytest.raises(StoreFormatError) as caught:
        Store.open(store_dir)
    assert caught.value.path.name == newest and "not valid JSON" in str(caught.value)
    report = check_store(store_dir)
    assert any(f.subject == f"{SEGMENT_DIR}/{newest}" and f.level == "problem"
               for f in report.findings)
    done = restore_store(store_dir)
    assert any("Restored items.json" in line for line in done)
    assert len(Store.open(store_dir)) == 12  # the items before the latest import
    (store_dir / SEGMENT_DIR / listed(store_dir)[0]).unlink()
    with pytest.raises(StoreFormatError, match="listed in items.json but missing"):
        Store.open(store_dir)


def test_a_store_of_the_old_layout_is_converted_once_with_a_backup(
        store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store.open(store_dir, seed=False)
    store.import_records(records(25))
    items = [dict(d) for d in store.items()]
    old = {"_meta": {"1": {**json.loads((store_dir / ITEMS_FILE).read_text())["_meta"]["1"],
                           "schema": 1}},
           "items": {str(d["position"]): d for d in items}}
    old["_meta"]["1"].pop("segments")
    for path in (store_dir / SEGMENT_DIR).iterdir():
        path.unlink()
    (store_dir / ITEMS_FILE).write_text(json.dumps(old), encoding="utf-8")
    from store.search.cache import build_index, items_signature, load_index
    from store.tree import TreeIndex, load_counts, save_counts

    build_index(store_dir, items)  # the caches of the old file
    save_counts(store_dir, items_signature(store_dir), TreeIndex(items))
    assert main(["--store", str(store_dir), "list"]) == 0
    err = capsys.readouterr().err
    assert "Converted items.json to the segmented layout (2 sealed segments" in err
    assert load_index(store_dir) is not None  # carried over, not rebuilt
    assert load_counts(store_dir, Store.open(store_dir).loaded_signature) is not None
    assert f"{BACKUP_DIR}/{V1_ITEMS}" in err
    assert json.loads((store_dir / BACKUP_DIR / V1_ITEMS).read_text()) == old
    assert len(listed(store_dir)) == 2
    assert [d["id"] for d in Store.open(store_dir).items()] == [d["id"] for d in items]
    assert main(["--store", str(store_dir), "list"]) == 0
    assert "Converted" not in capsys.readouterr().err  # once


def test_another_sessions_import_is_seen_and_sealed_segments_are_read_once(
        store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Store.open(store_dir, seed=False).import_records(records(25))
    mine = Store.open(store_dir)
    Store.open(store_dir).import_records(records(2, start=25))
    reads: list[str] = []
    real = Path.read_bytes

    def counting(self: Path) -> bytes:
        reads.append(self.name)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    assert mine.refresh() and len(mine) == 27
    assert not [n for n in reads if n.startswith("seg-")]  # only items.json was read
    assert os.path.exists(store_dir / BACKUP_DIR / "items.prev.json")


def test_search_json_reads_only_the_printed_items_and_prints_what_list_does(
        store_dir: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(store_dir, seed=False)
    store.import_records(records(24))
    store.ensure_index()
    store.state.tag([store.ids()[13]], ["verify"])
    assert main(["--store", str(store_dir), "list", "--json"]) == 0
    listed_items = {json.loads(line)["id"]: line for line in
                    capsys.readouterr().out.splitlines()}

    def no_items(self: Store) -> None:
        raise AssertionError("the search read every item")

    monkeypatch.setattr(Store, "_read_items", no_items)
    for query in ("tallinn", "tag:verify", '"brief number 3"'):
        assert main(["--store", str(store_dir), "search", "--json", "--limit", "50",
                     query]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert lines and all(line == listed_items[json.loads(line)["id"]] for line in lines)
    assert json.loads(lines[0])["title"] == "Brief 3"
    # Without the offsets beside a segment, the segment is read whole: same answer.
    for path in (store_dir / SEGMENT_DIR).glob("*.off"):
        path.unlink()
    assert main(["--store", str(store_dir), "search", "--json", "tag:verify"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["tags"] == ["verify"] and out.strip() == \
        listed_items[store.ids()[13]]


def test_list_limit_reads_the_first_items_alone_and_a_newer_schema_is_refused(
        store_dir: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(store_dir, seed=False)
    store.import_records(records(24))
    assert main(["--store", str(store_dir), "list", "--json"]) == 0
    every = capsys.readouterr().out.splitlines()
    with monkeypatch.context() as patch:
        patch.setattr(Store, "_read_items", lambda self: pytest.fail("read every item"))
        for limit in (0, 3, 12, 40):
            assert main(["--store", str(store_dir), "list", "--json", "--limit",
                         str(limit)]) == 0
            assert capsys.readouterr().out.splitlines() == every[:limit]
    assert main(["--store", str(store_dir), "list", "--json", "--limit", "10000000"]) == 0
    assert capsys.readouterr().out.splitlines() == every  # many: read as a whole store
    head = json.loads((store_dir / ITEMS_FILE).read_text(encoding="utf-8"))
    head["_meta"]["1"]["schema"] = 99
    (store_dir / ITEMS_FILE).write_text(json.dumps(head), encoding="utf-8")
    assert main(["--store", str(store_dir), "list", "--limit", "3"]) != 0
    assert "written by a newer newsdesk" in capsys.readouterr().err


def test_a_link_planted_for_the_segment_folder_is_refused(store_dir: Path,
                                                         tmp_path: Path) -> None:
    store = Store.open(store_dir, seed=False)
    store.import_records(records(12))
    elsewhere = tmp_path / "elsewhere"
    (store_dir / SEGMENT_DIR).rename(elsewhere)
    (store_dir / SEGMENT_DIR).symlink_to(elsewhere)
    with pytest.raises(StoreFormatError, match="link"):
        Store.open(store_dir)
    before = sorted(p.name for p in elsewhere.iterdir())
    with pytest.raises(StoreFormatError, match="link"):
        store.import_records(records(10, start=12))
    assert sorted(p.name for p in elsewhere.iterdir()) == before


def test_a_copy_of_the_store_keeps_its_caches_and_an_edit_makes_them_stale(
        store_dir: Path, tmp_path: Path) -> None:
    import shutil

    from store.search.cache import items_signature, load_index
    from store.tree import load_counts

    store = Store.open(store_dir, seed=False)
    store.import_records(records(14))
    store.ensure_index()
    copy = tmp_path / "copy"
    shutil.copytree(store_dir, copy)  # new inodes and times: the same generation
    assert items_signature(copy) == items_signature(store_dir) == store.loaded_signature
    assert load_index(copy) is not None
    assert load_counts(copy, Store.open(copy).loaded_signature) is not None
    head = (copy / ITEMS_FILE).read_text(encoding="utf-8")
    (copy / ITEMS_FILE).write_text(head.replace("Brief 13", "Brief 13 (edited)"),
                                   encoding="utf-8")
    assert load_index(copy) is None  # edited by hand: another size, rebuilt
    again = Store.open(copy)
    assert again.search('"brief 13 edited"') == [again.ids()[13]]


def test_a_damaged_list_of_segments_is_refused_not_read_past(store_dir: Path) -> None:
    store = Store.open(store_dir, seed=False)
    store.import_records(records(25))
    head = json.loads((store_dir / ITEMS_FILE).read_text(encoding="utf-8"))
    head["_meta"]["1"]["segments"][0].pop("count")
    (store_dir / ITEMS_FILE).write_text(json.dumps(head), encoding="utf-8")
    with pytest.raises(StoreFormatError, match="list of sealed segments is damaged"):
        Store.open(store_dir)
    assert not check_store(store_dir).ok
