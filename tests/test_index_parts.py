"""Issue 18: an import adds its items to the search cache as a file of their own
(index-*.bin, listed in index.more.json) instead of writing index.bin again; searches
read both and answer as a fresh index does; damage in a part means a rebuild."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store.desk import Store
from store.disk.layout import INDEX_FILE, INDEX_MORE
from store.doctor import check_store
from store.ingest.importers.records import Record
from store.search import cache
from store.search.index import SearchIndex
from tui.cli import main

QUERIES = ["ferry", "tallinn", "brief", "ferry OR drone", '"port of tallinn"', "tallin*",
           "-ferry", "title:brief"]


def records(n: int, start: int, word: str = "ferry") -> list[Record]:
    return [Record(body=f"Brief {k} on the {word} to the port of Tallinn, number {k}.",
                   source="b.txt", title=f"Brief {k} on the {word}")
            for k in range(start, start + n)]


def parts(root: Path) -> list[str]:
    return sorted(p.name for p in root.glob("index-*.bin"))


def answers(store: Store) -> dict[str, list[str]]:
    return {q: store.search(q) for q in QUERIES}


def fresh(root: Path) -> dict[str, list[str]]:
    store = Store.open(root)
    built = SearchIndex.build(store.items())
    return {q: built.search(q, store.state_view) for q in QUERIES}


def test_an_import_adds_a_part_and_leaves_index_bin_alone(store_dir: Path) -> None:
    store = Store.open(store_dir, seed=False)
    store.import_records(records(30, 0))
    store.ensure_index()  # index.bin for these items
    base = (store_dir / INDEX_FILE).stat()
    for n in range(3):
        Store.open(store_dir, load=False).import_records(records(5, 30 + 5 * n, "drone"))
    assert (store_dir / INDEX_FILE).stat().st_mtime_ns == base.st_mtime_ns
    assert len(parts(store_dir)) == 3
    more = json.loads((store_dir / INDEX_MORE).read_text(encoding="utf-8"))
    assert sorted(p["file"] for p in more["files"]) == parts(store_dir)
    loaded = cache.load_index(store_dir)
    assert loaded is not None and len(loaded) == 45 and len(loaded.segments) == 4
    reopened = Store.open(store_dir)
    assert reopened.ensure_index() is not None
    assert answers(reopened) == fresh(store_dir)
    report = check_store(store_dir)
    assert any("the search cache is current" in f.text for f in report.findings)


def test_after_enough_parts_index_bin_is_written_whole_again(
        store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MORE_FILES", 2)
    store = Store.open(store_dir, seed=False)
    store.import_records(records(30, 0))
    store.ensure_index()
    for n in range(3):
        Store.open(store_dir, load=False).import_records(records(4, 30 + 4 * n, "drone"))
    # two parts, then the third import folds them into index.bin
    assert parts(store_dir) == [] and not (store_dir / INDEX_MORE).exists()
    loaded = cache.load_index(store_dir)
    assert loaded is not None and len(loaded) == 42
    assert answers(Store.open(store_dir)) == fresh(store_dir)


@pytest.mark.parametrize("damage", ["flip a byte", "remove it", "bad list"])
def test_a_damaged_part_means_a_rebuild_with_the_right_answers(
        store_dir: Path, damage: str, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store.open(store_dir, seed=False)
    store.import_records(records(30, 0))
    store.ensure_index()
    Store.open(store_dir, load=False).import_records(records(6, 30, "drone"))
    (part,) = parts(store_dir)
    path = store_dir / part
    if damage == "flip a byte":
        raw = bytearray(path.read_bytes())
        raw[len(raw) // 2] ^= 0x40
        path.write_bytes(bytes(raw))
    elif damage == "remove it":
        path.unlink()
    else:
        (store_dir / INDEX_MORE).write_text('{"base": 1}', encoding="utf-8")
    assert cache.load_index(store_dir) is None  # (checked whole: the TUI's load)
    capsys.readouterr()
    assert main(["--store", str(store_dir), "search", "drone"]) == 0
    found = capsys.readouterr().out.splitlines()
    assert len(found) == 6 and all("drone" in line for line in found)
    assert answers(Store.open(store_dir)) == fresh(store_dir)
    assert cache.load_index(store_dir) is not None  # rebuilt, current again
