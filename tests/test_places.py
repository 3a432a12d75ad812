"""The browser comes back where the user left it: the tree node and the item."""

from __future__ import annotations

from pathlib import Path

from store.desk import Store
from tests.waiting import pilot_until
from tui.app import make_app
from tui.config import Settings
from tui.places import load_place, save_place

QUIET = Settings(mark_read_after=None)
SECURITY = ("topic", "Security")


async def _open_and_leave(store_dir: Path, node: tuple[str, ...] | None, row: int) -> str:
    app = make_app(Store.open(store_dir), QUIET)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await pilot_until(pilot, lambda: screen.store.loaded, 20, what="the store to load")
        await app.workers.wait_for_complete()
        if node is not None:
            assert screen.tree.choose(node)
            screen._show_node(node, node[-1])
        screen.item_list.cursor = row
        await pilot.pause()
        current = screen.item_list.current_id
        await pilot.press("q")
    assert current is not None
    return current


async def _reopen(store_dir: Path) -> tuple[tuple[str, ...], str | None]:
    app = make_app(Store.open(store_dir), QUIET)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await pilot_until(pilot, lambda: screen.store.loaded, 20, what="the store to load")
        await app.workers.wait_for_complete()
        await pilot.pause()
        return screen.node_key, screen.item_list.current_id


async def test_a_restart_comes_back_to_the_node_and_item(store_dir: Path) -> None:
    left_on = await _open_and_leave(store_dir, SECURITY, 3)
    assert load_place(store_dir) == (SECURITY, left_on)
    node, item = await _reopen(store_dir)
    assert node == SECURITY and item == left_on


async def test_a_node_that_is_gone_leaves_all_items(store_dir: Path) -> None:
    Store.open(store_dir)
    first = Store.open(store_dir).ids()[0]
    save_place(store_dir, ("tag", "no-such-tag"), first)
    node, item = await _reopen(store_dir)
    assert node == ("all",) and item == first


def test_a_damaged_places_file_is_no_place(store_dir: Path, tmp_path: Path) -> None:
    from tui.places import _path

    _path().parent.mkdir(parents=True, exist_ok=True)
    _path().write_text("{not json")
    assert load_place(store_dir) is None
    save_place(store_dir, SECURITY, "x")  # and it is replaced whole by the next quit
    assert load_place(store_dir) == (SECURITY, "x")
