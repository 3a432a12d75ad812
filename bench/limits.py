"""The limits, timed: what tests/test_limits.py checks for correctness, measured at two sizes.

    python bench/limits.py               # the tests' sizes (large) against a tenth (small)
    python bench/limits.py --quick       # a tenth against a hundredth, one run (smoke test)
    python bench/limits.py --runs 5

The tests assert the right answer and work bounded in operations (rows fetched, tree
lines made, bytes appended); how long it takes is measured here instead, where a busy
machine skews a figure but cannot fail a build. Each row times one operation at a small
and a large size in the same run (median of ``--runs``, each on fresh data): the ratio
large/small against the size ratio shows the growth. About the size ratio is linear
work; about 1, work bounded by the screen or by the operation; much more, a quadratic
slip. The absolute seconds are noisy on a shared machine; the ratio is the figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WORDS = ("The minister of Estonia met NATO officials in Tallinn on Tuesday to discuss "
         "drones, air defence and the Baltic Sea.").split()


def words(n_chars: int, seed: int = 1) -> str:
    """``n_chars`` characters of plausible text (deterministic for a seed)."""
    rng = random.Random(seed)
    out: list[str] = []
    size = 0
    while size < n_chars:
        word = rng.choice(WORDS)
        out.append(word)
        size += len(word) + 1
    return " ".join(out)[:n_chars]


def jsonl(path: Path, *records: dict) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def spread_tags(store: Any, count: int) -> None:
    """``count`` distinct tags over the store's items, round robin, in one operation."""
    ids = store.ids()
    wanted: dict[str, list[str]] = {i: [] for i in ids}
    for n in range(count):
        wanted[ids[n % len(ids)]].append(f"tag{n:06d}")
    store.state.restore_tags(wanted)


class BigSource:
    """``count`` items in one topic (and one tag each on every tenth), no store needed:
    what ``store.tree.select`` and ``build_tree`` read."""

    def __init__(self, count: int) -> None:
        topics, places, none, watch = ["Security/NATO"], ["Riga"], [], ["watch"]  # shared
        self._items = [{"id": f"{n:08x}", "topics": topics, "people": none,
                        "places": places, "orgs": none} for n in range(count)]
        self._tags = {d["id"]: watch for d in self._items[::10]}

    def items(self) -> list[dict]:
        return self._items

    @property
    def state(self) -> BigSource:  # its own user facts, as store.state is the store's
        return self

    def tags_of(self, item_id: str) -> list[str]:
        return self._tags.get(item_id, [])

    def is_read(self, item_id: str) -> bool:
        return False


# -- the cases: each prepares its data untimed and returns the one call to time ---------

Timed = Callable[[], object]


@dataclass
class Case:
    name: str
    unit: str
    small: int
    large: int
    setup: Callable[[int, Path], Timed]


def _store(root: Path, **kwargs: Any) -> Any:
    from store.desk import Store

    return Store.open(root / "store", **kwargs)


def import_big_item(size: int, work: Path) -> Timed:
    store = _store(work)
    src = jsonl(work / "big.jsonl", {"body": words(size)})
    return lambda: store.import_files([src])


def detail_of_big_item(size: int, work: Path) -> Timed:
    from tui.rows import detail_for
    from tui.widgets.detail_view import DetailView

    store = _store(work)
    store.import_files([jsonl(work / "big.jsonl", {"body": words(size)})])
    item = store.ids()[-1]
    return lambda: DetailView.render_detail(detail_for(store, item)).plain


def rows_with_long_titles(size: int, work: Path) -> Timed:
    from rich.style import Style

    from tui.widgets.item_list import Columns, RowData, RowStyles, render_row

    styles = RowStyles(*(Style() for _ in range(5)))
    columns = Columns.for_width(80, tag_width=20, date_width=10)
    data = RowData(title=words(size, seed=2), tags=("a",), date="2025-01-01")
    return lambda: [render_row(data, marked=False, columns=columns, styles=styles)
                    for _ in range(100)]


def one_more_tag(size: int, work: Path) -> Timed:
    store = _store(work)
    item = store.ids()[0]
    store.state.tag([item], add=[f"topic-{n:04d}" for n in range(size)])

    def run() -> None:
        store.state.tag([item], add=["one-more"])
        store.state.tag([item], remove=["topic-0000"])

    return run


def reopen_with_many_tags(size: int, work: Path) -> Timed:
    from store.desk import Store

    store = _store(work)
    store.state.tag(store.ids()[:1], add=[f"topic-{n:04d}" for n in range(size)])
    return lambda: Store.open(store.root)


def tree_of_distinct_tags(size: int, work: Path) -> Timed:
    from store.tree import build_tree

    store = _store(work)
    spread_tags(store, size)
    return lambda: build_tree(store)


def select_one_of_distinct_tags(size: int, work: Path) -> Timed:
    from store.tree import select

    store = _store(work)
    spread_tags(store, size)
    return lambda: select(("tag", "tag000031"), store)


def select_a_topic(size: int, work: Path) -> Timed:
    from store.tree import select

    source = BigSource(size)
    return lambda: select(("topic", "Security"), source)


def tree_of_one_topic(size: int, work: Path) -> Timed:
    from store.tree import build_tree

    source = BigSource(size)
    return lambda: build_tree(source)


def open_tui_with_distinct_tags(size: int, work: Path) -> Timed:
    from tui.app import make_app
    from tui.config import Settings

    store = _store(work)
    spread_tags(store, size)

    async def run() -> None:
        app = make_app(store, Settings(mark_read_after=None, poll_interval=60))
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()

    return lambda: asyncio.run(run())


def item_list_first_frame(size: int, work: Path) -> Timed:
    """``ItemList.set_rows`` with ``size`` ids and the frame that shows the first rows
    (an app already running; only this is timed)."""
    from textual.app import App, ComposeResult

    from tui.widgets.item_list import ItemList, RowData

    class Rows:
        def row(self, item_id: str) -> RowData:
            return RowData(f"Headline {item_id}", tags=("eu",), date="2025-02-17")

    class ListApp(App[None]):
        def compose(self) -> ComposeResult:
            yield ItemList(Rows(), id="items")  # type: ignore[arg-type]

    ids = [f"i{n}" for n in range(size)]

    def run() -> float:
        async def go() -> float:
            async with ListApp().run_test(size=(100, 30)) as pilot:
                items = pilot.app.query_one(ItemList)
                started = time.perf_counter()
                items.set_rows(ids)
                await pilot.pause()
                return time.perf_counter() - started

        return asyncio.run(go())

    return run


def extract_entities(size: int, work: Path) -> Timed:
    """Entity extraction over 200 briefs of ``size`` sentences each."""
    sys.path.insert(0, str(ROOT / "bench"))
    import entities_eval as ev

    from store.derive.entities.extract import extract

    items = ev.load()
    sentences = [s.strip() + "." for it in items for s in it["text"].split(". ") if s.strip()]
    rng = random.Random(7)
    briefs = [" ".join(rng.choices(sentences, k=size)) for _ in range(200)]
    return lambda: [extract(b) for b in briefs]


CASES = [
    Case("import one item of N chars", "chars", 100_000, 1_000_000, import_big_item),
    Case("detail of an N-char item", "chars", 100_000, 1_000_000, detail_of_big_item),
    Case("100 rows, N-char titles", "chars", 10_000, 100_000, rows_with_long_titles),
    Case("one tag more on N tags", "tags", 100, 1_000, one_more_tag),
    Case("reopen, an item with N tags", "tags", 100, 1_000, reopen_with_many_tags),
    Case("tree, N distinct tags", "tags", 10_000, 100_000, tree_of_distinct_tags),
    Case("select 1 of N distinct tags", "tags", 10_000, 100_000, select_one_of_distinct_tags),
    Case("TUI open, N distinct tags", "tags", 10_000, 100_000, open_tui_with_distinct_tags),
    Case("select a topic of N items", "items", 10_000, 100_000, select_a_topic),
    Case("tree of N items, one topic", "items", 10_000, 100_000, tree_of_one_topic),
    Case("item list: N rows, 1st frame", "rows", 10_000, 100_000, item_list_first_frame),
    Case("entities: 200 briefs of N sent.", "sent.", 3, 30, extract_entities),
]


@contextmanager
def _scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="nd-limits-") as tmp:
        yield Path(tmp)


def measure(case: Case, size: int, runs: int) -> float:
    """Median seconds of the timed call, each run on data prepared afresh."""
    times = []
    for _ in range(runs):
        with _scratch() as work:
            call = case.setup(size, work)
            started = time.perf_counter()
            inner = call()
            took = time.perf_counter() - started
            # A case that times only part of its call (inside a running app) says so.
            times.append(inner if isinstance(inner, float) else took)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="a tenth and a hundredth of the sizes, one run")
    parser.add_argument("--runs", type=int, default=None, help="runs per figure (default 3)")
    parser.add_argument("--only", default="", help="only the cases whose name has this")
    args = parser.parse_args(argv)
    os.environ.setdefault("NEWSDESK_CONFIG_DIR", tempfile.mkdtemp(prefix="nd-limits-cfg-"))
    runs = args.runs or (1 if args.quick else 3)
    scale = 10 if args.quick else 1
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"median of {runs} run(s)")
    print(f"{'measure':34} {'small':>10} {'large':>10} {'small s':>9} {'large s':>9} "
          f"{'ratio':>7} {'size ratio':>10}")
    for case in CASES:
        if args.only and args.only not in case.name:
            continue
        small, large = max(1, case.small // scale), max(1, case.large // scale)
        t_small, t_large = measure(case, small, runs), measure(case, large, runs)
        ratio = t_large / t_small if t_small > 0 else float("inf")
        print(f"{case.name:34} {small:>10,} {large:>10,} {t_small:>9.4f} {t_large:>9.4f} "
              f"{ratio:>6.1f}x {large / small:>9.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
