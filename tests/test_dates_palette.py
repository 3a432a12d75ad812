"""Dated items (By date, newest first, date: queries, url links) and the palette."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.desk import Store
from tests.conftest import until
from tests.waiting import pilot_until
from tui.app import make_app
from tui.config import Settings
from tui.screens.prompt import PromptScreen
from tui.view import BrowseView
from tui.widgets.detail_view import Detail, DetailView
from tui.widgets.item_list import ItemList

QUIET = Settings(mark_read_after=None, poll_interval=5)
DATED = """\
{"title": "Three", "text": "Third dated brief about Rome.", "date": "2024-12-31"}
{"title": "One", "text": "First dated brief about Paris.", "date": "2025-02-17"}
{"title": "Four", "text": "Undated brief about Madrid."}
{"title": "Two", "text": "Second dated brief about Berlin.", "date": "2025-01-03T10:00:00Z"}
"""


@pytest.fixture
def dated(store_dir: Path, tmp_path: Path) -> Store:
    store = Store.open(store_dir, seed=False)
    src = tmp_path / "dated.jsonl"
    src.write_text(DATED)
    store.import_files([src])
    return store


def titles(store: Store, ids) -> list[str]:
    return [store.get(i)["title"] for i in ids]


def test_by_date_group_year_then_month(dated: Store) -> None:
    view = BrowseView(dated)
    group = next(n for n in view.tree() if n.name == "By date")
    assert group.count == 3
    assert [(y.name, [m.name for m in y.children]) for y in group.children] == [
        ("2025", ["2025-02", "2025-01"]), ("2024", ["2024-12"])]
    view.choose(("date", "2025-01"), "2025-01")
    assert titles(dated, view.list_ids()) == ["Two"]


def test_newest_first_with_a_toggle(dated: Store) -> None:
    view = BrowseView(dated)
    assert titles(dated, view.list_ids()) == ["One", "Two", "Three", "Four"]
    assert view.label() == "All items, newest first"
    view.newest_first = False
    assert titles(dated, view.list_ids()) == ["Three", "One", "Four", "Two"]


def test_date_queries(dated: Store) -> None:
    dated.ensure_index()
    assert titles(dated, dated.search("date:2025-02")) == ["One"]
    assert sorted(titles(dated, dated.search("after:2025-01-01"))) == ["One", "Two"]
    assert titles(dated, dated.search("before:2025-01-01")) == ["Three"]


def test_url_is_an_osc8_link_and_other_text_is_not() -> None:
    text = DetailView.render_detail(Detail("id1", "T", "Body", "src", extra=[
        ("url", "https://example.org/a"), ("author", "https://not-a-link.example")]))
    links = {span.style.link for span in text.spans if hasattr(span.style, "link")}
    assert links == {"https://example.org/a"}


@pytest.mark.slow
async def test_palette_lists_actions_and_exports_the_view(
        store_dir: Path, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # a short name to type, relative to the working folder
    store = Store.open(store_dir)
    app = make_app(store, QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        titles_ = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Tag", "Undo", "Search", "Save search", "Import a file…",
                "Export the current view…"} <= titles_
        export = next(c for c in app.get_system_commands(app.screen)
                      if c.title == "Export the current view…")
        export.callback()
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        target = tmp_path / "view.jsonl"
        await pilot.press("ctrl+u", *"view.jsonl", "enter")
        await pilot_until(pilot, target.exists, what="the export to be written")
        assert len(target.read_text().splitlines()) == app.screen.query_one(ItemList).item_count


@pytest.mark.slow
async def test_palette_import_adds_items(store_dir: Path, tmp_path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # a short name to type, relative to the working folder
    store = Store.open(store_dir)
    src = tmp_path / "new.txt"
    src.write_text("A brand new brief about Lisbon.\n")
    app = make_app(store, QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        command = next(c for c in app.get_system_commands(app.screen)
                       if c.title == "Import a file…")
        items = app.screen.query_one(ItemList)
        command.callback()
        await pilot.pause()
        await pilot.press(*str(src), "enter")
        await until(pilot, lambda: app.screen.query_one(ItemList).item_count == 31,
                    "the imported item")
        assert len(store) == 31
        assert items.item_count == 31
