"""Issue 16, layout: titles get the width, the tags column only what it needs, the
footer keeps Quit and Help at 60x20, help fits and scrolls, Why here is in view, and
the tree's selection shows with 16 colours when the tree is unfocused."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets._footer import FooterKey

from store.desk import Store
from tests.conftest import until
from tui.app import make_app
from tui.config import Settings
from tui.screens.help import HelpScreen, bindings_text
from tui.screens.main import MainScreen

QUIET = Settings(mark_read_after=None, poll_interval=60)


@pytest.fixture
def store(store_dir: Path) -> Store:
    return Store.open(store_dir)


def _row_text(screen: MainScreen, index: int) -> str:
    items = screen.item_list
    return "".join(seg.text for seg in items.render_line(index - items.scroll_offset.y))


async def test_a_long_title_gets_the_width_at_120x40(store: Store, tmp_path: Path) -> None:
    title = "Parliament debates " + "the long budget amendment " * 4
    title = title[:100]
    source = tmp_path / "long.jsonl"
    source.write_text(f'{{"title": "{title}", "text": "Body of it."}}\n', encoding="utf-8")
    store.import_files([source])
    app = make_app(store, QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        screen: MainScreen = app.screen
        long_id = next(i["id"] for i in store.items() if i["title"] == title)
        screen.item_list.move_to(long_id)
        await pilot.pause()
        shown = _row_text(screen, screen.item_list.cursor).strip().rstrip("…")
        assert len(shown) >= 70 and title.startswith(shown[:70])
        assert screen.item_list.columns.tags == 0  # no tags: no column


async def test_the_tags_column_is_as_wide_as_the_tags(store: Store) -> None:
    store.state.tag(store.ids()[:1], add=["ab"])
    app = make_app(store, QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.screen.item_list.columns.tags == 2


@pytest.mark.parametrize("size", [(60, 20), (80, 24)])
async def test_the_footer_keeps_quit_and_help(store: Store, size: tuple[int, int]) -> None:
    app = make_app(store, QUIET)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        keys = {k.key: k.region for k in app.screen.query(FooterKey)}
        for key in ("q", "question_mark"):
            assert key in keys and keys[key].right <= size[0], key


async def test_help_fits_60x20_and_scrolls_with_j_and_k(store: Store) -> None:
    app = make_app(store, QUIET)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        panel = app.screen.query_one("#help-panel")
        text = app.screen.query_one("#help-text")
        assert panel.region.right <= 60 and text.region.right <= panel.region.right
        lines = bindings_text(app._help_sections()).plain.splitlines()
        assert max(map(len, lines)) <= text.region.width  # nothing wraps
        await pilot.press("j", "j")
        await pilot.pause()
        assert panel.scroll_y == 2
        await pilot.press("k")
        await pilot.pause()
        assert panel.scroll_y == 1


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_why_here_and_the_id_are_in_view_without_scrolling(store: Store, size) -> None:
    app = make_app(store, QUIET)
    async with app.run_test(size=size) as pilot:
        screen: MainScreen = app.screen
        await until(pilot, lambda: "Why here" in screen.detail.plain, "the detail")
        await pilot.pause()
        visible = [
            "".join(seg.text for seg in screen.detail.render_line(y))
            for y in range(screen.detail.scrollable_content_region.height)
        ]
        assert any("Why here" in line for line in visible)
        current = screen.item_list.current_id
        assert any(f"id     {current}" in line for line in visible)  # people copy it


async def test_the_tree_selection_shows_unfocused_with_16_colours(store: Store) -> None:
    app = make_app(store, Settings(mark_read_after=None, poll_interval=60, theme="ansi-dark"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        tree = app.screen.tree
        assert app.focused is not tree
        style = tree.get_component_rich_style("tree--cursor", partial=False)
        assert style.underline and style.bold
