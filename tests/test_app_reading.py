"""Issue 16 in the TUI: keeping the place, the reading flow, undo per session, layout.

Driven through Pilot as a user would; another process is played by a second Store on
the same folder, and its changes arrive through the screen's poll."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.desk import Store
from store.tree import NodeKey
from tests.conftest import until
from tui.app import make_app
from tui.config import Settings
from tui.screens.main import MainScreen
from tui.screens.tag_editor import TagEditorScreen

QUIET = Settings(mark_read_after=None, poll_interval=60)


@pytest.fixture
def store(store_dir: Path) -> Store:
    return Store.open(store_dir)


def _topic(store: Store) -> tuple[NodeKey, str]:
    """A topic node with several items (the seed has Defence/…)."""
    counts: dict[str, int] = {}
    for item in store.items():
        for topic in item["topics"]:
            top = topic.split("/")[0]
            counts[top] = counts.get(top, 0) + 1
    name = max(counts, key=counts.__getitem__)
    return ("topic", name), name


async def _choose(app, pilot, key: NodeKey) -> None:
    screen: MainScreen = app.screen
    ui = screen.tree._find(key)
    assert ui is not None
    screen.tree.move_cursor(ui)
    await until(pilot, lambda: screen.node_key == key, f"the node {key}")


async def test_the_place_survives_another_sessions_new_tag(store: Store) -> None:
    key, _ = _topic(store)
    app = make_app(store, QUIET)
    async with app.run_test(size=(100, 30)) as pilot:
        screen: MainScreen = app.screen
        await _choose(app, pilot, key)
        screen.item_list.focus()
        await pilot.press("j", "j")
        item = screen.item_list.current_id
        other = Store.open(store.root)
        other.state.tag(other.ids()[:1], add=["brand-new"])  # the tree gains a node
        screen._poll()
        await pilot.pause()
        assert screen.node_key == key
        assert screen.tree.cursor_node.data.key == key
        assert screen.item_list.current_id == item


async def test_a_vanished_node_gives_way_to_its_parent(store: Store) -> None:
    ids = store.ids()
    store.state.tag(ids[:2], add=["area/north"])
    app = make_app(store, QUIET)
    async with app.run_test(size=(100, 30)) as pilot:
        screen: MainScreen = app.screen
        screen.tree._find(("tag", "area")).expand()
        await pilot.pause()
        await _choose(app, pilot, ("tag", "area/north"))
        other = Store.open(store.root)
        other.state.tag(ids[:2], remove=["area/north"])
        other.state.tag(ids[2:3], add=["area"])  # the parent stays, the child goes
        screen._poll()
        await until(pilot, lambda: screen.node_key == ("tag", "area"), "the parent node")
        assert screen.tree.cursor_node.data.key == ("tag", "area")


@pytest.mark.slow  # seconds of Pilot keys: the full suite runs it
async def test_a_scoped_search_keeps_its_scope_through_a_change(store: Store) -> None:
    key, name = _topic(store)
    app = make_app(store, QUIET)
    async with app.run_test(size=(100, 30)) as pilot:
        screen: MainScreen = app.screen
        await until(pilot, lambda: screen.view.ready, "the index")
        await _choose(app, pilot, key)
        await pilot.press("slash", *"ukraine", "enter")
        await until(pilot, lambda: screen.view.searching, "the search")
        inside = set(screen.view.node_ids())
        assert set(screen.item_list.ids) <= inside
        Store.open(store.root).state.tag(store.ids()[:1], add=["another"])
        screen._poll()
        await pilot.pause()
        assert screen.node_key == key and set(screen.item_list.ids) <= inside
        await pilot.press("slash")
        assert f"in {name}" in str(screen.search_bar.query_one("#search-status").render())
        await pilot.press("ctrl+g")  # everything
        await until(pilot, lambda: screen.view.everywhere, "the scope toggle")
        assert "everything" in str(screen.search_bar.query_one("#search-status").render())
        assert len(screen.item_list.ids) >= len(set(screen.item_list.ids) & inside)


async def test_escape_in_the_list_leaves_the_search(store: Store) -> None:
    app = make_app(store, QUIET)
    async with app.run_test(size=(100, 30)) as pilot:
        screen: MainScreen = app.screen
        await until(pilot, lambda: screen.view.ready, "the index")
        await pilot.press("slash", *"nato", "enter")
        await until(pilot, lambda: screen.view.searching, "the search")
        assert app.focused is screen.item_list and screen.item_list.item_count < 30
        await pilot.press("escape")
        await pilot.pause()
        assert not screen.view.searching and screen.item_list.item_count == 30


async def test_enter_opens_the_item_and_escape_or_q_goes_back(store: Store) -> None:
    app = make_app(store, QUIET)
    async with app.run_test(size=(100, 30)) as pilot:
        screen: MainScreen = app.screen
        await pilot.press("j", "enter")
        await pilot.pause()  # the read mark is written by a store job: let it land
        item = screen.item_list.current_id
        assert app.focused is screen.detail and store.state.is_read(item)
        assert item in screen.detail.plain  # the id line people copy
        await pilot.press("escape")
        assert app.focused is screen.item_list
        await pilot.press("enter", "q")
        assert app.focused is screen.item_list and app.is_running


async def test_enter_on_a_small_screen_opens_a_reader_view(store: Store) -> None:
    app = make_app(store, QUIET)
    async with app.run_test(size=(60, 20)) as pilot:
        screen: MainScreen = app.screen
        await pilot.press("enter")
        assert screen.maximized is screen.detail and app.focused is screen.detail
        await pilot.press("q")
        assert screen.maximized is None and app.focused is screen.item_list
        await pilot.press("enter", "escape")  # Esc too, and the list has the focus again
        assert screen.maximized is None and app.focused is screen.item_list


@pytest.mark.slow
async def test_resting_marks_read_only_with_the_list_focused(store: Store) -> None:
    app = make_app(store, Settings(mark_read_after=0.05, poll_interval=60))
    async with app.run_test(size=(100, 30)) as pilot:
        screen: MainScreen = app.screen
        await until(pilot, lambda: screen.view.ready, "the index")
        first = screen.item_list.current_id
        await until(pilot, lambda: store.state.is_read(first), "the resting cursor to read it")
        await pilot.press("slash", *f"-id:{first[:8]}")  # typing: the list is not focused
        await until(pilot, lambda: screen.view.searching, "the search")
        shown = screen.item_list.current_id
        assert shown != first
        await pilot.press(*" ukraine")
        await until(pilot, lambda: screen.view.query_text.endswith("ukraine"), "the query")
        for _ in range(30):  # well past 0.05 s with the cursor on a result
            await pilot.pause()
        assert store.user.state.read == {first}
        await pilot.press("enter")  # the list has the focus: now resting reads
        await until(pilot, lambda: store.state.is_read(screen.item_list.current_id), "a read mark")


async def test_zero_means_only_opening_reads(store: Store) -> None:
    app = make_app(store, Settings(mark_read_after=0, poll_interval=60))
    async with app.run_test(size=(100, 30)) as pilot:
        screen: MainScreen = app.screen
        await pilot.press("j")
        for _ in range(10):
            await pilot.pause()
        assert not store.user.state.read
        await pilot.press("enter")
        await pilot.pause()  # the read mark is a store job (see conftest)
        assert store.state.is_read(screen.item_list.current_id)


async def test_n_goes_to_the_next_unread_and_A_marks_all_read_undoably(store: Store) -> None:
    ids = store.ids()
    store.state.set_read(ids[1:3])
    app = make_app(Store.open(store.root), QUIET)
    async with app.run_test(size=(100, 30)) as pilot:
        screen: MainScreen = app.screen
        s = app.store
        order = list(screen.item_list.ids)
        await pilot.press("n")
        expected = next(i for i in order[1:] if not s.state.is_read(i))
        assert screen.item_list.current_id == expected
        await pilot.press("A")
        await pilot.pause()  # marking all read is a store job (see conftest)
        assert all(s.state.is_read(i) for i in ids)
        await pilot.press("n")  # nothing unread anywhere: it says so and stays
        assert screen.item_list.current_id == expected
        await pilot.press("u")
        await pilot.pause()
        assert [s.state.is_read(i) for i in ids[:4]] == [False, True, True, False]


async def test_n_wraps_to_the_next_node_with_unread_items(store: Store) -> None:
    key, _ = _topic(store)
    app = make_app(store, QUIET)
    async with app.run_test(size=(100, 30)) as pilot:
        screen: MainScreen = app.screen
        await _choose(app, pilot, key)
        store.state.set_read(screen.view.node_ids())
        screen.item_list.focus()
        await pilot.press("n")
        assert screen.node_key != key
        assert not store.state.is_read(screen.item_list.current_id)
        assert screen.tree.cursor_node.data.key == screen.node_key


async def test_o_opens_the_link_with_browser(store: Store, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    feed = tmp_path / "links.jsonl"
    feed.write_text('{"title": "Linked", "text": "A linked item.", '
                    '"url": "https://example.org/a"}\n', encoding="utf-8")
    store.import_files([feed])
    got = tmp_path / "opened.txt"
    script = tmp_path / "browser.sh"
    script.write_text(f'#!/bin/sh\necho "$1" > {got}\n', encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("BROWSER", str(script))
    app = make_app(store, QUIET)
    async with app.run_test(size=(100, 30)) as pilot:
        screen: MainScreen = app.screen
        linked = next(i["id"] for i in store.items() if i.get("url"))
        screen.item_list.move_to(linked)
        await pilot.press("o")
        await app.workers.wait_for_complete()
        await until(pilot, lambda: got.exists() and got.read_text().strip(), "the browser")
        assert got.read_text().strip() == "https://example.org/a"
        screen.item_list.move_to(store.ids()[0])
        await pilot.press("o")
        await app.workers.wait_for_complete()
        await until(pilot, lambda: any("no link" in n.message for n in app._notifications),
                    "the no-link notice")


@pytest.mark.slow  # seconds of Pilot keys: the full suite runs it
async def test_S_cycles_the_order(store: Store) -> None:
    app = make_app(store, QUIET)
    async with app.run_test(size=(100, 30)) as pilot:
        screen: MainScreen = app.screen
        await until(pilot, lambda: screen.view.ready, "the index")
        await pilot.press("slash", *"ukraine russia", "enter")
        await until(pilot, lambda: screen.view.searching, "the search")
        assert screen.view.order == "relevance"
        best = list(screen.item_list.ids)
        await pilot.press("S")  # no dates in the seed: straight to original
        assert screen.view.order == "original"
        assert sorted(screen.item_list.ids, key=store.ids().index) == list(screen.item_list.ids)
        await pilot.press("S")
        assert screen.view.order == "relevance" and list(screen.item_list.ids) == best


@pytest.mark.slow  # seconds of Pilot keys: the full suite runs it
async def test_undo_is_per_session_in_two_apps(store: Store) -> None:
    ids = store.ids()
    a = make_app(store, QUIET)
    b_store = Store.open(store.root)
    b = make_app(b_store, QUIET)
    async with a.run_test(size=(100, 30)) as pa, b.run_test(size=(100, 30)) as pb:
        await pa.press("t", *"from-a", "enter")
        await pa.pause()
        b.screen.item_list.move_to(ids[1])
        await pb.press("t", *"from-b", "enter")
        await pb.pause()
        store.refresh()
        await pa.press("u")
        await pa.pause()
        assert store.state.tags_of(ids[0]) == [] and store.state.tags_of(ids[1]) == ["from-b"]
        await pa.press("u")  # nothing of A's left; B's tag is B's
        await pa.pause()
        assert store.state.tags_of(ids[1]) == ["from-b"]
        assert any("Nothing to undo in this session" in n.message for n in a._notifications)
        assert any("undo +from-a" in n.message for n in a._notifications)


async def test_tag_dialog_shows_shared_and_partial_tags(store: Store) -> None:
    ids = store.ids()
    store.state.tag(ids[:2], add=["both"])
    store.state.tag(ids[:1], add=["one"])
    app = make_app(store, QUIET)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("space", "space", "t")
        await pilot.pause()
        assert isinstance(app.screen, TagEditorScreen)
        text = str(app.screen.query_one("#tag-current").render())
        assert "All 2 have: both" in text and "one (1 of 2)" in text
