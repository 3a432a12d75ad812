"""Limits: huge items, huge titles, many tags, many items. Right answers, sensible cuts.

These check what comes out and that the work stays bounded where it can be counted
(rows drawn, tree lines made, bytes appended to the journal). How long each takes is
measured by ``bench/limits.py``, at these sizes and a tenth of them in the same run, so
a busy machine can skew a figure but never fail the suite.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rich.style import Style

from bench.limits import BigSource, jsonl, spread_tags, words
from store.desk import Store
from store.text.clean import GIVEN_TITLE_MAX
from store.tree import build_tree, select
from tui.app import make_app
from tui.cli import main
from tui.config import Settings
from tui.rows import detail_for
from tui.widgets.detail_view import BODY_SHOWN, Detail, DetailView
from tui.widgets.item_list import Columns, RowData, RowStyles, render_row
from tui.widgets.topic_tree import MAX_CHILDREN

pytestmark = pytest.mark.slow  # 1 MB items, 100,000 tags and items: seconds each

QUIET = Settings(mark_read_after=None, poll_interval=60)
STYLES = RowStyles(*(Style() for _ in range(5)))

def _row(data: RowData, width: int = 80) -> str:
    columns = Columns.for_width(width, tag_width=20, date_width=10)
    strip = render_row(data, marked=False, columns=columns, styles=STYLES)
    assert strip.cell_length == columns.width
    return "".join(segment.text for segment in strip)


def test_a_1_mb_item_imports_lists_and_renders_cut(
        store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = words(1_000_000)
    src = jsonl(tmp_path / "big.jsonl", {"body": body})
    store = Store.open(store_dir)
    assert store.import_files([src]).added == 1
    item = store.items()[-1]
    assert item["body"] == body  # kept whole
    assert len(item["title"]) <= 120 and item["topics"]
    assert main(["--store", str(store_dir), "list"]) == 0  # reopening and listing
    assert capsys.readouterr().out.splitlines()[-1] == f"{item['id']}  {item['title']}"
    text = DetailView.render_detail(detail_for(store, item["id"])).plain
    assert len(text) < BODY_SHOWN + 2_000  # the detail draws a part, not 1 MB
    assert f"{len(body) - BODY_SHOWN:,}"[:3] in text and "more characters are not shown" in text


async def test_the_tui_moves_onto_a_1_mb_item_without_stalling(
        store_dir: Path, tmp_path: Path) -> None:
    store = Store.open(store_dir)
    store.import_files([jsonl(tmp_path / "big.jsonl", {"body": words(1_000_000)})])
    big = store.ids()[-1]
    app = make_app(store, QUIET)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("G")
        await pilot.pause()
        assert app.screen.item_list.current_id == big
        await pilot.press("tab", "j", "j", "shift+tab", "k")  # scroll it, then leave it
        await pilot.pause()
        assert app.screen.item_list.current_id == store.ids()[-2]


def test_a_100k_character_title_is_shortened_and_rows_stay_bounded(
        store_dir: Path, tmp_path: Path) -> None:
    giant = words(100_000, seed=2)
    store = Store.open(store_dir, seed=False)
    store.import_files([jsonl(tmp_path / "t.jsonl", {"title": giant, "body": "Short text."},
                               {"title": "T" * 100_000, "body": "Other text."})])
    worded, unbroken = (d["title"] for d in store.items())
    assert len(worded) <= GIVEN_TITLE_MAX and worded.endswith("…")
    assert giant.startswith(worded[:-1].rstrip())  # cut at a word boundary
    assert unbroken == "T" * (GIVEN_TITLE_MAX - 1) + "…"
    # A title stored before the cut existed still draws in the row's width (_row checks).
    row = _row(RowData(title=giant, tags=("a",), date="2025-01-01"))
    assert row.rstrip().endswith("2025-01-01") and "…" in row
    text = DetailView.render_detail(Detail("x", giant, "Short text.", "f")).plain
    assert len(text) < 2_000


def test_1000_tags_on_one_item(store: Store) -> None:
    item = store.ids()[0]
    names = [f"topic-{n:04d}" for n in range(1000)]
    store.state.tag([item], add=names)  # in one operation
    journal = store.root / "journal.jsonl"
    before = journal.stat().st_size
    store.state.tag([item], add=["one-more"])
    store.state.tag([item], remove=["topic-0500"])
    assert len(store.state.tags_of(item)) == 1000
    # One more tag costs one small journal line each, not a rewrite of the 1,000.
    assert 0 < journal.stat().st_size - before < 1_000
    again = Store.open(store.root)
    assert again.state.tags_of(item) == store.state.tags_of(item)
    row = _row(RowData(title="A title", tags=tuple(store.state.tags_of(item))), width=100)
    assert "topic-0000,topic-00" in row and "…" in row and len(row) == 100
    text = DetailView.render_detail(detail_for(store, item)).plain
    assert "topic-0999" in text and "one-more" in text and "topic-0500" not in text
    tags = next(n for n in build_tree(store) if n.name == "Tags")
    assert tags.count == 1 and len(tags.children) == 1000


@pytest.fixture
def store(store_dir: Path) -> Store:
    return Store.open(store_dir)


async def test_100k_distinct_tags_tree_and_tui_stay_responsive(store: Store) -> None:
    """The tree's data has all 100,000 tags; the widget shows the biggest MAX_CHILDREN
    and a "… N more" line, so opening, folding and redrawing stay quick."""
    spread_tags(store, 100_000)  # 30 items, 100,000 distinct tags
    assert select(("tag", "tag000031"), store) == [store.ids()[1]]
    app = make_app(store, QUIET)
    async with app.run_test(size=(100, 30)) as pilot:
        tree = app.screen.tree
        group = next(n for n in tree.root.children if str(n.label) == "Tags")
        assert group.data is not None and len(group.data.children) == 100_000
        assert group.is_expanded  # expanded by default: populated with a cap
        assert len(group.children) == MAX_CHILDREN + 1
        more = group.children[-1]
        assert str(more.label) == f"… {100_000 - MAX_CHILDREN:,} more, smaller ones " \
                                  "(search finds them)"
        assert more.data is None
        tree.focus()
        tree.move_cursor(group)
        await pilot.press("left", "right")  # folding and unfolding Tags
        await pilot.pause()
        assert len(group.children) == MAX_CHILDREN + 1
        tree.move_cursor(group.children[0])  # picking a tag
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.item_list.item_count == 1
        app.screen._refresh_views()  # the redraw every tag change costs
        await pilot.pause()
        group = next(n for n in tree.root.children if str(n.label) == "Tags")
        assert len(group.children) == MAX_CHILDREN + 1  # still capped after the redraw


@pytest.fixture(scope="module")
def big_source() -> BigSource:
    return BigSource(100_000)


@pytest.mark.parametrize("key", [("topic", "Security"), ("topic", "Security/NATO"),
                                 ("tag", "watch"), ("untagged",), ("place", "Riga"),
                                 ("group", "Topics")])
def test_100k_items_in_one_topic_select_the_right_ids(key: tuple[str, ...],
                                                      big_source: BigSource) -> None:
    source = big_source
    expected: Callable[[int], bool] = {"tag": lambda n: n % 10 == 0,
                                       "untagged": lambda n: n % 10 != 0}.get(
        key[0], lambda n: True)
    ids = select(key, source)
    assert len(ids) == sum(1 for n in range(100_000) if expected(n))
    assert ids == [d["id"] for n, d in enumerate(source.items()) if expected(n)]


def test_100k_items_in_one_topic_tree_counts_them(big_source: BigSource) -> None:
    source = big_source
    nodes = build_tree(source)
    topics = next(n for n in nodes if n.name == "Topics")
    assert topics.count == 100_000
    assert [(c.name, c.count) for c in topics.children] == [("Security", 100_000)]
    assert topics.children[0].children[0].count == 100_000
