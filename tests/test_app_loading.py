"""A large store paints first: the panes and the index's titles, then the items."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

import tui.screens.main as main_screen
from store.desk import Store
from store.errors import StoreFormatError
from tests.conftest import until
from tests.waiting import pilot_until
from tui.app import make_app
from tui.widgets.item_list import ItemList


@pytest.fixture
def big(monkeypatch: pytest.MonkeyPatch) -> None:
    """Treat every store as one too large to read before the first frame."""
    monkeypatch.setattr(main_screen, "EAGER_LOAD_BYTES", 0)


@contextlib.asynccontextmanager
async def previewing(store: Store, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Any]:
    """The app on ``store`` showing its preview rows, its loading held until the event
    it yields (with the app, the pilot and the list) is set."""
    release = threading.Event()
    finish = store.finish_open

    def slow_finish(**kwargs: Any) -> None:
        release.wait(10)
        finish(**kwargs)

    monkeypatch.setattr(store, "finish_open", slow_finish)
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        items = app.screen.query_one(ItemList)
        await until(pilot, lambda: items.item_count > 0, "the preview rows")
        yield app, pilot, items, release


async def test_opens_on_all_items_after_loading_in_a_worker(store_dir: Path, big: None) -> None:
    Store.open(store_dir)  # create it
    store = Store.open(store_dir, load=False)
    assert not store.loaded and len(store) == 0
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        items = app.screen.query_one(ItemList)
        assert store.loaded and items.item_count == 30 and items.cursor == 0
        assert items.current_id == store.items()[0]["id"] and app.focused is items
        assert "All items (30)" in items._title_text
        groups = [n.data.name for n in app.screen.tree.root.children]
        assert groups[:3] == ["All items", "Unread", "Topics"]


async def test_lists_the_index_titles_while_the_items_load(store_dir: Path, big: None,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    Store.open(store_dir).ensure_index()  # index.bin, as an import leaves it
    store = Store.open(store_dir, load=False)
    async with previewing(store, monkeypatch) as (app, pilot, items, release):
        assert items.item_count == 30 and "Loading" in items._title_text
        assert not store.loaded
        previewed = list(items.ids)  # decoded one by one from index.bin
        await pilot.press("j")  # moving is fine; tagging waits for the items
        await pilot.press("t")
        assert len(app.screen_stack) == 1
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert store.loaded and "All items (30)" in items._title_text
        assert list(items.ids) == previewed  # the preview listed in the store's order
        assert items.cursor == 1  # the cursor stayed on the item the user moved to
        assert items.current_id == Store.open(store_dir).items()[1]["id"]


async def test_the_preview_lists_dated_items_newest_first_as_the_store_does(
        tmp_path: Path, big: None, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from tui.cli import main

    lines = []
    for n in range(60):  # three days, two imports (two index segments), some undated
        day = f"2025-03-{10 + n % 3:02d}T09:00:00Z" if n % 7 else None
        lines.append(json.dumps({"title": f"Brief number {n} on the port", "date": day,
                                 "text": f"Brief number {n} on the port of Odesa."}))
    store_dir = tmp_path / "store"
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text("\n".join(lines[:40]) + "\n", encoding="utf-8")
    second.write_text("\n".join(lines[40:]) + "\n", encoding="utf-8")
    assert main(["--store", str(store_dir), "init", "--empty"]) == 0
    assert main(["--store", str(store_dir), "import", str(first)]) == 0
    assert main(["--store", str(store_dir), "search", "--count", "port"]) == 0  # index.bin
    assert main(["--store", str(store_dir), "import", str(second)]) == 0  # a 2nd segment
    store = Store.open(store_dir, load=False)
    async with previewing(store, monkeypatch) as (app, pilot, items, release):
        previewed = list(items.ids)
        dates = [items._source.row(i).date for i in previewed]
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert store.loaded and "All items" in items._title_text
        assert list(items.ids) == previewed
        assert dates == [items._source.row(i).date for i in previewed]
    assert len(previewed) == 60 and dates[0] == "2025-03-12" and dates[-1] is None


async def test_a_store_that_cannot_be_read_ends_the_app_with_its_error(store_dir: Path,
                                                                       big: None) -> None:
    store_dir.mkdir()
    (store_dir / "items.json").write_text('{"_meta": {"1": {"schema": 99}}, "items": {}}')
    store = Store.open(store_dir, load=False)  # opening checks nothing slow yet
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        # until the loading worker (started after the first frame) has failed and said so
        await pilot_until(pilot, lambda: app.load_error is not None, 30,
                          what="the store's error to end the app")
    assert isinstance(app.load_error, StoreFormatError)
    assert "newer newsdesk" in str(app.load_error) and app.return_code == 1


async def test_a_damaged_index_only_costs_the_preview(store_dir: Path, big: None,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from store.search.index import SearchIndex

    Store.open(store_dir).ensure_index()
    store = Store.open(store_dir, load=False)

    def damaged(self: SearchIndex) -> list[str]:  # what a lazily checked section raises
        raise ValueError("index.bin: a section's checksum does not match")

    monkeypatch.setattr(SearchIndex, "days", damaged)
    monkeypatch.setattr(SearchIndex, "newest_first", damaged)
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        items = app.screen.query_one(ItemList)
        await until(pilot, lambda: "All items (30)" in items._title_text, "the items")
        assert store.loaded and items.item_count == 30
