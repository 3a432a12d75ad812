"""Limits: huge items, huge titles, many tags, many items. Bounded time, sensible cuts.

Each test finishes in a few seconds; the bounds asserted are several times what a
laptop takes, so a busy CI machine passes while a quadratic slip still fails.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from rich.style import Style

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

QUIET = Settings(mark_read_after=None, poll_interval=60)
STYLES = RowStyles(*(Style() for _ in range(5)))
WORDS = ("The minister of Estonia met NATO officials in Tallinn on Tuesday to discuss "
         "drones, air defence and the Baltic Sea.").split()


@contextmanager
def within(seconds: float, what: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    took = time.perf_counter() - started
    assert took < seconds, f"{what} took {took:.2f} s (limit {seconds} s)"


def _words(n_chars: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    out: list[str] = []
    size = 0
    while size < n_chars:
        word = rng.choice(WORDS)
        out.append(word)
        size += len(word) + 1
    return " ".join(out)[:n_chars]


def _row(data: RowData, width: int = 80) -> str:
    columns = Columns.for_width(width, tag_width=20, date_width=10)
    strip = render_row(data, marked=False, columns=columns, styles=STYLES)
    assert strip.cell_length == columns.width
    return "".join(segment.text for segment in strip)


def _jsonl(path: Path, *records: dict) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_a_1_mb_item_imports_lists_and_renders_in_bounded_time(
        store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = _words(1_000_000)
    src = _jsonl(tmp_path / "big.jsonl", {"body": body})
    store = Store.open(store_dir)
    with within(5, "importing a 1 MB item"):
        assert store.import_files([src]).added == 1
    item = store.items()[-1]
    assert item["body"] == body  # kept whole
    assert len(item["title"]) <= 120 and item["topics"]
    with within(3, "reopening and listing"):
        assert main(["--store", str(store_dir), "list"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"{item['id']}  {item['title']}"
    with within(3, "the detail of a 1 MB item"):
        text = DetailView.render_detail(detail_for(store, item["id"])).plain
    assert len(text) < BODY_SHOWN + 2_000
    assert f"{len(body) - BODY_SHOWN:,}"[:3] in text and "more characters are not shown" in text


async def test_the_tui_moves_onto_a_1_mb_item_without_stalling(
        store_dir: Path, tmp_path: Path) -> None:
    store = Store.open(store_dir)
    store.import_files([_jsonl(tmp_path / "big.jsonl", {"body": _words(1_000_000)})])
    big = store.ids()[-1]
    app = make_app(store, QUIET)
    async with app.run_test(size=(120, 30)) as pilot:
        with within(5, "showing a 1 MB item"):
            await pilot.press("G")
            await pilot.pause()
        assert app.screen.item_list.current_id == big
        with within(3, "scrolling it and leaving it"):
            await pilot.press("tab", "j", "j", "shift+tab", "k")
            await pilot.pause()


def test_a_100k_character_title_is_shortened_and_rows_stay_bounded(
        store_dir: Path, tmp_path: Path) -> None:
    giant = _words(100_000, seed=2)
    store = Store.open(store_dir, seed=False)
    store.import_files([_jsonl(tmp_path / "t.jsonl", {"title": giant, "body": "Short text."},
                               {"title": "T" * 100_000, "body": "Other text."})])
    worded, unbroken = (d["title"] for d in store.items())
    assert len(worded) <= GIVEN_TITLE_MAX and worded.endswith("…")
    assert giant.startswith(worded[:-1].rstrip())  # cut at a word boundary
    assert unbroken == "T" * (GIVEN_TITLE_MAX - 1) + "…"
    # A title stored before the cut existed still draws in bounded time and width.
    with within(0.5, "drawing 100 rows with 100k-character titles"):
        for _ in range(100):
            row = _row(RowData(title=giant, tags=("a",), date="2025-01-01"))
    assert row.rstrip().endswith("2025-01-01") and "…" in row
    with within(1, "the detail of a 100k-character title"):
        text = DetailView.render_detail(Detail("x", giant, "Short text.", "f")).plain
    assert len(text) < 2_000


def test_1000_tags_on_one_item(store: Store) -> None:
    item = store.ids()[0]
    names = [f"topic-{n:04d}" for n in range(1000)]
    with within(2, "adding 1,000 tags in one operation"):
        store.state.tag([item], add=names)
    with within(0.2, "one more tag on an item that has 1,000"):
        store.state.tag([item], add=["one-more"])
        store.state.tag([item], remove=["topic-0500"])
    assert len(store.state.tags_of(item)) == 1000
    with within(1, "reopening"):
        again = Store.open(store.root)
    assert again.state.tags_of(item) == store.state.tags_of(item)
    row = _row(RowData(title="A title", tags=tuple(store.state.tags_of(item))), width=100)
    assert "topic-0000,topic-00" in row and "…" in row and len(row) == 100
    text = DetailView.render_detail(detail_for(store, item)).plain
    assert "topic-0999" in text and "one-more" in text and "topic-0500" not in text
    with within(2, "the tree"):
        tags = next(n for n in build_tree(store) if n.name == "Tags")
    assert tags.count == 1 and len(tags.children) == 1000


@pytest.fixture
def store(store_dir: Path) -> Store:
    return Store.open(store_dir)


def _spread_tags(store: Store, count: int) -> None:
    ids = store.ids()
    wanted: dict[str, list[str]] = {i: [] for i in ids}
    for n in range(count):
        wanted[ids[n % len(ids)]].append(f"tag{n:06d}")
    store.state.restore_tags(wanted)


async def test_100k_distinct_tags_tree_and_tui_stay_responsive(store: Store) -> None:
    """The tree's data has all 100,000 tags; the widget shows the biggest MAX_CHILDREN
    and a "… N more" line, so opening, folding and redrawing stay quick."""
    with within(10, "giving 30 items 100,000 distinct tags"):
        _spread_tags(store, 100_000)
    with within(2, "selecting one tag"):
        assert select(("tag", "tag000031"), store) == [store.ids()[1]]
    app = make_app(store, QUIET)
    started = time.perf_counter()
    async with app.run_test(size=(100, 30)) as pilot:
        assert time.perf_counter() - started < 10, "opening the TUI (the tree built)"
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
        with within(3, "folding and unfolding Tags"):
            await pilot.press("left", "right")
            await pilot.pause()
        assert len(group.children) == MAX_CHILDREN + 1
        with within(3, "picking a tag"):
            tree.move_cursor(group.children[0])
            await pilot.press("enter")
            await pilot.pause()
        assert app.screen.item_list.item_count == 1
        with within(6, "the redraw every tag change costs"):
            app.screen._refresh_views()
            await pilot.pause()


class _BigSource:
    """100,000 items in one topic (and one tag each on every tenth), no store needed."""

    def __init__(self, count: int) -> None:
        topics, places, none, watch = ["Security/NATO"], ["Riga"], [], ["watch"]  # shared
        self._items = [{"id": f"{n:08x}", "topics": topics, "people": none,
                        "places": places, "orgs": none} for n in range(count)]
        self._tags = {d["id"]: watch for d in self._items[::10]}

    def items(self) -> list[dict]:
        return self._items

    @property
    def state(self) -> _BigSource:  # its own user facts, as store.state is the store's
        return self

    def tags_of(self, item_id: str) -> list[str]:
        return self._tags.get(item_id, [])

    def is_read(self, item_id: str) -> bool:
        return False


@pytest.fixture(scope="module")
def big_source() -> _BigSource:
    return _BigSource(100_000)


@pytest.mark.parametrize("key", [("topic", "Security"), ("topic", "Security/NATO"),
                                 ("tag", "watch"), ("untagged",), ("place", "Riga"),
                                 ("group", "Topics")])
def test_100k_items_in_one_topic_select_in_bounded_time(key: tuple[str, ...],
                                                        big_source: _BigSource) -> None:
    source = big_source
    expected: Callable[[int], bool] = {"tag": lambda n: n % 10 == 0,
                                       "untagged": lambda n: n % 10 != 0}.get(
        key[0], lambda n: True)
    with within(2, f"select {key}"):
        ids = select(key, source)
    assert len(ids) == sum(1 for n in range(100_000) if expected(n))


def test_100k_items_in_one_topic_tree_in_bounded_time(big_source: _BigSource) -> None:
    source = big_source
    with within(5, "building the tree of 100,000 items"):
        nodes = build_tree(source)
    topics = next(n for n in nodes if n.name == "Topics")
    assert topics.count == 100_000
    assert [(c.name, c.count) for c in topics.children] == [("Security", 100_000)]
    assert topics.children[0].children[0].count == 100_000
