"""The TUI as a user drives it, through Pilot."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.desk import Store
from tui.app import NewsdeskApp, make_app
from tui.screens.help import HelpScreen
from tui.widgets.detail_view import DetailView
from tui.widgets.item_list import ItemList


def seed_ids(store: Store, lines: list[int]) -> list[str]:
    """Ids of the seed briefs at these 1-based lines."""
    return [d["id"] for d in store.items() if d["line"] in lines]


def detail_text(app: NewsdeskApp) -> str:
    return app.screen.query_one(DetailView).plain


@pytest.fixture
def store(store_dir: Path) -> Store:
    return Store.open(store_dir)


async def test_opens_on_all_items_with_the_cursor_on_the_first(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        items = app.screen.query_one(ItemList)
        assert app.focused is items
        assert items.item_count == 30 and items.cursor == 0
        assert items.current_id == store.items()[0]["id"]
        assert "Zelenskyy is offering alternative security guarantees" in detail_text(app)


@pytest.mark.slow
async def test_choosing_a_topic_filters_the_list(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("shift+tab")  # to the tree
        # All items, Unread, Topics, Defence, Diplomacy, Security → expand → Guarantees, NATO
        await pilot.press("down", "down", "down", "down", "down", "right", "down", "down")
        await pilot.pause()
        items = app.screen.query_one(ItemList)
        # By reading the briefs: NATO (or "the alliance") is named in these nine.
        assert list(items.ids) == seed_ids(store, [1, 4, 6, 11, 17, 19, 20, 21, 23])
        await pilot.press("enter")
        await pilot.pause()
        assert app.focused is items


async def test_moving_the_cursor_changes_the_detail(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("j", "j")
        await pilot.pause()
        assert "Lavrov called it a direct threat" not in detail_text(app)
        await pilot.press("down")
        await pilot.pause()
        assert "Lavrov called it a direct threat" in detail_text(app)
        await pilot.press("end")
        await pilot.pause()
        assert "Keir Starmer" in detail_text(app)
        await pilot.press("home")
        await pilot.pause()
        assert "Zelenskyy is offering" in detail_text(app)


async def test_help_lists_bindings_and_closes(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").render())
        for expected in ("Quit", "Next pane", "Show items", "Mark", "Search", "Tag",
                         "Show/hide tree", "Show/hide detail", "Zoom pane", "Copy"):
            assert expected in text
        assert "  [ " in text and "  ] " in text  # key names shown as the keys
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_q_quits(store: Store) -> None:
    app = make_app(store)
    async with app.run_test() as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_tab_cycles_the_panes(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("tab")
        assert isinstance(app.focused, DetailView)
        await pilot.press("tab")
        assert app.focused is app.screen.query_one("#tree")


HOSTILE = [
    "[@click=app.quit]Read more[/] about the markup attack.",
    "[link=https://evil.example]Click[/link] and [bold red]shout[/].",
    "Clipboard \x1b]52;c;cHduZWQ=\x07 grab and \x1b]0;pwned\x07 title.",
    "Clear \x1b[2J screen \x9b31m red \u202edesrever\u202c text [nested [brackets]].",
]


async def test_hostile_text_is_shown_literally_and_inert(store_dir: Path, tmp_path: Path) -> None:
    store = Store.open(store_dir, seed=False)
    src = tmp_path / "hostile.txt"
    src.write_text("\n".join(HOSTILE), encoding="utf-8")
    assert store.import_files([src]).added == 4
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "[@click=app.quit]Read more[/]" in detail_text(app)
        # Click where the would-be link is drawn, in the detail and in the list row.
        await pilot.click("#detail", offset=(3, 2))
        await pilot.click("#items", offset=(4, 1))
        assert app.is_running
        await pilot.press("down")
        await pilot.pause()
        assert "[link=https://evil.example]Click[/link]" in detail_text(app)
        await pilot.press("down", "down")
        await pilot.pause()
        text = detail_text(app)
        assert "[nested [brackets]]" in text
        assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text
        assert app.is_running


@pytest.mark.slow
def test_snapshot_80x24(snap_compare, store_dir: Path) -> None:
    store = Store.open(store_dir)
    assert snap_compare(make_app(store), press=["j", "j"], terminal_size=(80, 24))
