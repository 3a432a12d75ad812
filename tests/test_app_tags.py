"""Tagging in the TUI, driven through Pilot like a user would."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.desk import Store
from tests.conftest import until
from tui.app import make_app
from tui.config import Settings
from tui.screens.confirm import ConfirmScreen
from tui.screens.prompt import PromptScreen
from tui.screens.tag_editor import TagEditorScreen
from tui.widgets.item_list import ItemList

QUIET = Settings(mark_read_after=None, poll_interval=0.2)


@pytest.fixture
def store(store_dir: Path) -> Store:
    return Store.open(store_dir)


@pytest.mark.slow
async def test_tag_editor_autocompletes_and_applies(store: Store) -> None:
    ids = store.ids()
    store.state.tag(ids[5:6], add=["region/baltics", "verify"])
    app = make_app(store, QUIET)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TagEditorScreen)
        await pilot.press(*"rb")  # fuzzy: r…b → region/baltics
        await pilot.pause()
        await pilot.press("tab")
        await pilot.press(*"follow-up")
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, TagEditorScreen)
        assert store.state.tags_of(ids[0]) == ["region/baltics", "follow-up"]
        # The change is on disk before the UI shows it.
        assert Store.open(store.root).state.tags_of(ids[0]) == ["region/baltics", "follow-up"]


@pytest.mark.slow
async def test_refused_name_shows_why_and_keeps_the_editor(store: Store) -> None:
    app = make_app(store, QUIET)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("t", *"ok, a//b", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TagEditorScreen)
        error = str(app.screen.query_one("#tag-error").render())
        assert "a level between slashes is empty" in error
        await pilot.press("escape")
        assert store.state.tag_counts() == {}


@pytest.mark.slow
async def test_remove_with_minus_and_repeat_with_dot(store: Store) -> None:
    ids = store.ids()
    store.state.tag(ids[:2], add=["verify"])
    app = make_app(store, QUIET)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("t", *"-verify, done", "enter")
        await pilot.pause()
        assert store.state.tags_of(ids[0]) == ["done"]
        await pilot.press("j", "full_stop")
        await pilot.pause()
        assert store.state.tags_of(ids[1]) == ["done"]


@pytest.mark.slow
async def test_bulk_over_threshold_asks_first(store: Store) -> None:
    app = make_app(store, QUIET)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("asterisk")  # mark all 30
        await pilot.press("t", *"bulk", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "30 items" in str(app.screen.query_one("#confirm-question").render())
        await pilot.press("n")
        await pilot.pause()
        assert store.state.tag_counts() == {}
        await pilot.press("t", *"bulk", "enter")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert store.state.tag_counts() == {"bulk": 30}


@pytest.mark.slow  # seconds of Pilot keys: the full suite runs it
async def test_marked_items_under_threshold_are_tagged_directly(store: Store) -> None:
    ids = store.ids()
    app = make_app(store, QUIET)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("space", "j", "space")  # space marks and moves down
        await pilot.press("t", *"pair", "enter")
        await pilot.pause()
        assert [store.state.tags_of(i) for i in ids[:4]] == [["pair"], [], ["pair"], []]


@pytest.mark.slow
async def test_rename_from_the_tree_then_undo_after_restart(store: Store) -> None:
    ids = store.ids()
    store.state.tag(ids[:3], add=["draft"])
    app = make_app(store, QUIET)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("shift+tab")
        # All items, Unread, Topics(+6 children), Tags, draft
        tree = app.screen.tree
        target = next(n for n in tree.root.children if n.data and n.data.name == "Tags")
        tree.move_cursor(target.children[0])
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*["backspace"] * 5, *"final", "enter")
        await pilot.pause()
        assert store.state.tag_counts() == {"final": 3}
    restarted = make_app(Store.open(store.root), QUIET)
    async with restarted.run_test(size=(100, 30)) as pilot:
        await pilot.press("u")
        await pilot.pause()
        assert restarted.store.state.tag_counts() == {"draft": 3}
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert restarted.store.state.tag_counts() == {"final": 3}


@pytest.mark.slow
async def test_delete_from_the_tree_names_the_count(store: Store) -> None:
    store.state.tag(store.ids()[:4], add=["gone"])
    app = make_app(store, QUIET)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("shift+tab")
        tree = app.screen.tree
        tags = next(n for n in tree.root.children if n.data and n.data.name == "Tags")
        tree.move_cursor(tags.children[0])
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert "from 4 items" in str(app.screen.query_one("#confirm-question").render())
        await pilot.press("y")
        await pilot.pause()
        assert store.state.tag_counts() == {}


async def test_a_second_instance_sees_tags_from_the_first(store: Store) -> None:
    second_store = Store.open(store.root)
    app = make_app(second_store, QUIET)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        store.state.tag(store.ids()[:2], add=["from-other-session"])  # the "first" instance
        def tags_count() -> int:
            tags = next(n for n in app.screen.tree.root.children
                        if n.data and n.data.name == "Tags")
            return tags.data.count

        await until(pilot, lambda: tags_count() == 2, "the other session's tags")
        assert tags_count() == 2
        assert app.screen.query_one(ItemList).source.row(store.ids()[0]).tags == (
            "from-other-session",)


async def test_read_state_in_the_ui(store: Store) -> None:
    app = make_app(store, Settings(mark_read_after=0.1, poll_interval=5))
    async with app.run_test(size=(100, 30)) as pilot:
        first = store.ids()[0]
        await until(pilot, lambda: store.state.is_read(first), "the read mark")
        assert store.state.is_read(first)  # the cursor rested on it a moment → read
        unread = next(n for n in app.screen.tree.root.children if n.data.name == "Unread")
        assert unread.data.count == 29
        await pilot.press("r")
        await pilot.pause()
        assert not store.state.is_read(first)
