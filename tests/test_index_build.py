"""Issue 18: the first search builds the index in bounded memory. ``SearchIndex.build``
makes a segment per BUILD_BATCH items; a store opened unread builds it reading one
sealed segment at a time, never holding every item; the answers are those of an index
of one segment, and a query over several segments is answered a segment at a time."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from store.desk import Store
from store.disk import segments
from store.ingest.importers.records import Record
from store.search import index as index_module
from store.search.cache import load_index
from store.search.index import MemoryUserState, SearchIndex
from tui.cli import main

WORDS = ["ferry", "drone", "port", "tallinn", "riga", "minister", "summit", "grain"]
QUERIES = ["ferry", "ferry drone", "ferry OR riga", "-ferry", "ferry -drone", '"port of riga"',
           "tall*", "title:summit", "NOT (ferry OR drone)", "tag:follow-up",
           "tag:follow-up OR riga", "is:tagged grain", "date>=2024-03-01",
           "ferry AND date<2024-02-01"]


def records(n: int, seed: int = 1) -> list[Record]:
    rng = random.Random(seed)
    out = []
    for k in range(n):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12)))
        port = rng.choice(["riga", "tallinn"])
        out.append(Record(body=f"Brief {k}: {words}, the port of {port}.",
                          source="b.txt", title=f"{rng.choice(WORDS).title()} brief {k}",
                          date=f"2024-0{rng.randint(1, 4)}-1{rng.randint(0, 9)}"))
    return out


def user_for(ids: list[str]) -> MemoryUserState:
    user = MemoryUserState()
    for item_id in ids[::7]:
        user.set_tags(item_id, ["follow-up"])
    return user


def test_a_batched_build_answers_as_one_segment(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(tmp_path / "s", seed=False)
    store.import_records(records(120))
    items = store.items()
    whole = SearchIndex.build(items)
    monkeypatch.setattr(index_module, "BUILD_BATCH", 25)
    batched = SearchIndex.build(items + items[:10])  # (a repeated item is indexed once)
    assert len(whole.segments) == 1 and len(batched.segments) == 5
    assert [s.start for s in batched.segments] == [0, 25, 50, 75, 100]
    user = user_for(store.ids())
    for query in QUERIES:
        expected = whole.search(query, user, order="original")
        assert batched.search(query, user, order="original") == expected, query
        assert batched.count(query, user) == len(expected), query
        # relevance: the same items (the weights' length norms are summed batch by batch)
        assert sorted(batched.search(query, user)) == sorted(whole.search(query, user)), query
    assert batched.search("ferry", user, limit=5)  # a one-word top-k over several segments


def test_an_unread_store_builds_its_index_a_segment_at_a_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(segments, "SEGMENT_ITEMS", 10)
    monkeypatch.setattr("store.desk.SEGMENT_ITEMS", 10)
    monkeypatch.setattr(index_module, "BUILD_BATCH", 25)
    root = tmp_path / "s"
    Store.open(root, seed=False).import_records(records(95))
    expected = {q: SearchIndex.build(Store.open(root).items()).search(q, order="original")
                for q in QUERIES if "tag" not in q}
    held: list[int] = []
    read = segments.SegmentedItems.sealed

    def spy(self: segments.SegmentedItems, name: str, *, keep: bool = True) -> dict:
        table = read(self, name, keep=keep)
        held.append(len(self._sealed))  # segments kept in memory while building
        return table

    monkeypatch.setattr(segments.SegmentedItems, "sealed", spy)
    store = Store.open(root, load=False)
    index = store.ensure_index()
    assert not store.loaded and len(held) == 9 and max(held) == 0
    assert [s.n for s in index.segments] == [25, 25, 25, 20]
    for query, ids in expected.items():
        assert index.search(query, order="original") == ids, query
    cached = load_index(root)  # and it was cached for the next search
    assert cached is not None and cached.search("ferry", order="original") == expected["ferry"]


def test_an_unread_store_that_must_be_read_whole_is_read_first(tmp_path: Path) -> None:
    root = tmp_path / "s"
    Store.open(root, seed=False).import_records(records(30))  # no sealed segment yet
    store = Store.open(root, load=False)
    index = store.ensure_index()
    assert store.loaded and index.search("riga", order="original") == Store.open(root).search(
        "riga", order="original")


def test_the_cli_builds_a_big_stores_index_by_segment_and_answers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setattr(segments, "SEGMENT_ITEMS", 500)
    monkeypatch.setattr("store.desk.SEGMENT_ITEMS", 500)
    root = tmp_path / "s"
    Store.open(root, seed=False).import_records(records(2100))
    loaded = Store.open(root)
    expected = loaded.search("ferry drone", order="original")
    (root / "index.bin").unlink()
    opened: list[Store] = []
    real = Store.open.__func__  # type: ignore[attr-defined]

    def spy(cls: type[Store], *args: object, **kwargs: object) -> Store:
        store = real(cls, *args, **kwargs)
        opened.append(store)
        return store

    monkeypatch.setattr(Store, "open", classmethod(spy))
    capsys.readouterr()
    assert main(["--store", str(root), "search", "--order", "original", "ferry drone"]) == 0
    printed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert printed == expected
    assert opened and not any(s.loaded for s in opened)  # never read whole
    assert main(["--store", str(root), "search", "--count", "ferry drone"]) == 0
    assert capsys.readouterr().out.strip() == str(len(expected))
