"""Search in the TUI and in BrowseView: as you type, narrowing, facets, saved searches."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from textual import events

from store.desk import Store
from tests.conftest import REPO, until
from tests.waiting import pilot_until
from tui.app import make_app
from tui.config import Settings
from tui.screens.prompt import PromptScreen
from tui.view import BrowseView
from tui.widgets.item_list import ItemList
from tui.widgets.search_bar import SearchBar

QUIET = Settings(mark_read_after=None, poll_interval=5)


@pytest.fixture
def store(store_dir: Path) -> Store:
    s = Store.open(store_dir)
    s.ensure_index()
    return s


def lines_of(store: Store, ids) -> list[int]:
    return [store.get(i)["line"] for i in ids]


# -- BrowseView: the rules, without a screen ---------------------------------------


def test_query_narrows_the_node_or_searches_everything(store: Store) -> None:
    view = BrowseView(store)
    view.choose(("topic", "Security/NATO"), "NATO")
    assert view.set_query("paris") is None
    assert sorted(lines_of(store, view.list_ids())) == [19, 20]  # NATO briefs naming Paris
    view.everywhere = True
    assert sorted(lines_of(store, view.list_ids())) == [10, 12, 13, 19, 20, 24]


def test_malformed_query_keeps_the_last_results(store: Store) -> None:
    view = BrowseView(store)
    view.set_query("macron")
    before = view.list_ids()
    problem = view.set_query('macron "unclosed')
    assert problem is not None and problem.position == 7
    assert view.list_ids() == before


def test_tree_counts_follow_the_results(store: Store) -> None:
    view = BrowseView(store)
    view.set_query("tusk")
    tree = {n.name: n for n in view.tree()}
    assert tree["All items"].count == 2
    places = {c.name: c.count for c in tree["Places"].children}
    assert places["Poland"] == 2 and "France" not in places


def test_order_toggle(store: Store) -> None:
    view = BrowseView(store)
    view.set_query("nato security")
    relevance = view.list_ids()
    view.by_relevance = False
    view.rerun()
    original = view.list_ids()
    assert sorted(relevance) == sorted(original)
    assert lines_of(store, original) == sorted(lines_of(store, original))


def test_saved_searches_are_nodes_with_live_counts(store: Store) -> None:
    store.state.save_search("Poland", "place:poland")
    view = BrowseView(store)
    saved = next(n for n in view.tree() if n.name == "Saved searches")
    assert [(c.name, c.count) for c in saved.children] == [("Poland", 3)]
    store.state.tag(store.ids()[:1], add=["x"])
    store.state.save_search("tagged", "is:tagged")
    assert dict(view.saved_counts())["tagged"] == 1
    view.choose(("saved", "Poland"), "Poland")
    assert lines_of(store, view.list_ids()) == [10, 16, 26]


# -- the TUI ------------------------------------------------------------------------


async def wait_ready(app, pilot) -> None:
    await until(pilot, lambda: app.store.search_index is not None, "the index")
    await pilot.pause()


async def test_typing_a_query_updates_the_list(store: Store) -> None:
    app = make_app(store, QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("slash", *"scholz")
        items = app.screen.query_one(ItemList)
        await until(pilot, lambda: items.item_count == 2, "the results")
        assert sorted(lines_of(store, items.ids)) == [18, 20]
        row = items.source.row(items.ids[0])
        assert row.highlights, "matches are highlighted in the row"
        await pilot.press("enter")
        assert app.focused is items
        await pilot.press("slash", "escape")
        await until(pilot, lambda: items.item_count == 30, "the whole list")
        assert items.item_count == 30 and not app.screen.query_one(SearchBar).display


@pytest.mark.slow
async def test_a_slash_typed_right_after_enter_opens_a_new_search(store: Store) -> None:
    """Keys queued together (a fast typist over SSH): Enter, then "/" before Enter's
    messages have settled. The "/" must open a new search, not be typed into the old one."""
    app = make_app(store, QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("slash", *"tusk")
        await until(pilot, lambda: app.screen.view.query_text == "tusk", "the query")
        for key, char in (("enter", "\r"), ("slash", "/")):  # no pause in between
            app.post_message(events.Key(key, char))
        bar = app.screen.query_one(SearchBar)
        await until(pilot, lambda: bar.display and app.focused is bar.input, "the bar")
        assert bar.display and app.focused is bar.input
        assert bar.value == "tusk", "the / opened the bar again on the kept query"
        assert "/" not in bar.value


@pytest.mark.slow
async def test_malformed_query_points_at_the_position(store: Store) -> None:
    app = make_app(store, QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("slash", *"tusk")
        await until(pilot, lambda: app.screen.view.query_text == "tusk", "the query")
        await pilot.press(*" OR (")
        await until(pilot, lambda: "unclosed" in str(
            app.screen.query_one("#search-status").render()), "the error")
        status = str(app.screen.query_one("#search-status").render())
        assert status.startswith(" " * 8 + "^") and "unclosed" in status
        assert app.screen.query_one(ItemList).item_count == 2  # last good results stay


@pytest.mark.slow
async def test_save_search_and_see_it_in_the_tree(store: Store) -> None:
    app = make_app(store, QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(app, pilot)
        await pilot.press("slash", *"place:poland", "enter")
        await until(pilot, lambda: app.screen.view.query_text == "place:poland", "the search")
        await pilot.press("s")
        await pilot_until(pilot, lambda: isinstance(app.screen, PromptScreen),
                          what="the prompt for the search's name")
        await pilot.press("ctrl+u", *"Polish news", "enter")

        def saved_node():
            return next(n for n in app.screen.tree.root.children
                        if n.data and n.data.name == "Saved searches")

        await pilot_until(pilot, lambda: saved_node().children,
                          what="the saved search to appear in the tree")
        assert store.state.saved_searches() == {"Polish news": "place:poland"}
        saved = saved_node()
        assert [(c.data.name, c.data.count) for c in saved.children] == [("Polish news", 3)]


@pytest.mark.slow
def test_cli_search_shapes(store_dir: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "tui", "--store", str(store_dir), *args],
                              cwd=REPO, capture_output=True, text=True, timeout=60)

    run("init")
    assert run("search", "--count", "zelenskyy OR tusk").stdout.strip() == "5"
    lines = run("search", "--limit", "2", "nato").stdout.splitlines()
    assert len(lines) == 2 and all(len(line.split()[0]) == 12 for line in lines)
    rows = [json.loads(x) for x in run("search", "--json", "person:tusk").stdout.splitlines()]
    assert [r["title"][:27] for r in rows] == ["Polish Prime Minister Donal"] * 2
    assert {"id", "title", "body", "tags", "topics"} <= set(rows[0])
    bad = run("search", "nato AND")
    assert bad.returncode == 1 and "column" in bad.stderr and "Traceback" not in bad.stderr
