"""Export: the three formats, the query, and the round trip back through import."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.desk import Store
from store.export import (
    COLUMNS,
    QueryError,
    export_items,
    md_escape,
    select_items,
)
from store.ingest.importers import Record, read_bytes
from store.text.csvsafe import protect, unprotect

FIXTURES = Path(__file__).parent / "fixtures" / "import"
SAME = ("id", "title", "body", "date", "url", "author", "guid", "feed")


@pytest.fixture
def store(store_dir: Path) -> Store:
    """The seed briefs, two feeds and a CSV, with tags from the files and a user's."""
    store = Store.open(store_dir)
    store.import_files([FIXTURES / "rss2.xml", FIXTURES / "atom.xml", FIXTURES / "briefs.csv"])
    store.state.tag(store.ids()[:2], add=["follow-up", "region/europe"])
    # A text-only brief that later got a url through --update: its id stays the
    # text's, which no longer follows from its fields. Export must carry it.
    body = store.items()[2]["body"]
    store.import_records([Record(body=body, source="x", url="https://later.example/3")],
                         update=True)
    return store


def snapshot(store: Store) -> list[tuple[object, ...]]:
    return [(*(item.get(k) for k in SAME), tuple(store.state.tags_of(item["id"])))
            for item in store.items()]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_round_trip_into_an_empty_store(store: Store, tmp_path: Path, fmt: str) -> None:
    data, count = export_items(store, fmt)
    assert count == len(store) == 30 + 3 + 3 + 4
    fresh = Store.open(tmp_path / "fresh", seed=False)
    report = fresh.import_files([read_bytes(data, f"export.{fmt}")])
    assert report.problems == [] and report.warnings == []
    assert report.added == len(store)
    assert snapshot(fresh) == snapshot(store)
    assert fresh.items()[2]["url"] == "https://later.example/3"
    # And once more: everything is already present.
    again = fresh.import_files([read_bytes(data, f"export.{fmt}")])
    assert (again.added, again.present) == (0, len(store))


def test_jsonl_objects(store: Store) -> None:
    data, _ = export_items(store, "jsonl")
    rows = [json.loads(line) for line in data.decode().splitlines()]
    assert all(list(row) == list(COLUMNS) for row in rows)
    estonia = next(r for r in rows if r["guid"] == "wire-1001")
    assert estonia["tags"] == ["Defence", "region/baltics"]
    assert estonia["date"] == "2025-02-17T09:00:00Z" and estonia["feed"] == "Baltic Wire & Friends"
    assert estonia["source"] == "rss2.xml" and estonia["author"] == "Kadri Tamm"
    assert rows[0]["tags"] == ["follow-up", "region/europe"] and rows[0]["topics"]
    assert rows[0]["url"] is None


def test_csv_rows(store: Store) -> None:
    data, _ = export_items(store, "csv")
    rows = list(csv.reader(io.StringIO(data.decode())))
    assert rows[0] == list(COLUMNS)
    first = dict(zip(COLUMNS, rows[1], strict=True))
    assert first["tags"] == "follow-up, region/europe" and first["url"] == ""
    multi = next(r for r in rows if r[1] == "Multi-line brief")
    assert multi[2] == "First line of the brief.\nSecond line of the brief."


def test_markdown_is_readable_and_literal(store_dir: Path) -> None:
    store = Store.open(store_dir, seed=False)
    # (a <script> element would be dropped on import, as every leftover tag is)
    hostile = "# Not a heading\n- not a list\n1. nor this\n<not a tag> [a](b) *c* `d`"
    store.import_records([Record(body=hostile, source="h.txt", title="Title *with* ## marks",
                                 url="https://e.example/?a=1&b=2")])
    store.state.tag(store.ids(), add=["t"])
    text = export_items(store, "md")[0].decode()
    lines = text.splitlines()
    assert lines[0] == "# newsdesk export"
    assert [line for line in lines if line.startswith("#")] == [
        "# newsdesk export", r"## Title \*with\* \#\# marks"]
    assert r"- url: https://e.example/?a=1\&b=2" in lines
    assert "- tags: t" in lines
    body = text.split("\n\n")[-2]
    assert body == ("\\# Not a heading\\\n\\- not a list\\\n1\\. nor this\\\n"
                    "\\<not a tag\\> \\[a\\](b) \\*c\\* \\`d\\`")


def test_md_escape_handles_line_starts() -> None:
    assert md_escape("+ a\n= b\n2) c\nplain 3. d") == "\\+ a\n\\= b\n2\\) c\nplain 3. d"


def test_query_tags_topics_and_words(store: Store) -> None:
    def titles(query: str) -> list[str]:
        return [item["title"] for item in select_items(store, query)]

    assert len(select_items(store, "")) == len(store)
    assert titles("tag:region/baltics") == ["Estonia expands drone defence programme"]
    assert len(titles("tag:REGION")) == 4  # a tag and everything under it, any case
    assert titles('tag:"follow-up" Venezuela') == titles("tag:follow-up venezuela")
    assert titles("ferry strike") == ["Ferry strike ends"]
    assert titles("ferries") == ["Ferry strike ends"]  # words match as search matches them
    topic = store.items()[0]["topics"][0]
    assert all(topic in item["topics"] for item in select_items(store, f'topic:"{topic}"'))
    assert titles("(ferry OR venezuela) -strike") == titles("venezuela -strike")
    assert "Ferry strike ends" in titles("ferry OR venezuela -strike")  # NOT binds tighter
    with pytest.raises(QueryError, match="Bad query.*column"):
        select_items(store, 'tag:"open')


# -- hostile cells (issue 19) -------------------------------------------------------------

FORMULAS = ['=HYPERLINK("https://evil.example","click")', "+cmd|' /C calc'!A0", "-2+3",
            "@SUM(A1:A9)", "\tTAB=1", "'=already quoted", "''=two quotes", "'plain quote"]


def _hostile_store(root: Path) -> Store:
    store = Store.open(root, seed=False)
    store.import_records([
        Record(body=f"{cell} and some words {n}", source="h.csv", title=cell,
               author=cell.strip(), feed=f"@feed {n}", tags=("=tag", "@me"))
        for n, cell in enumerate(FORMULAS)])
    return store


def test_csv_cells_never_start_a_formula(store_dir: Path) -> None:
    data, count = export_items(_hostile_store(store_dir), "csv")
    assert count == len(FORMULAS)
    rows = list(csv.reader(io.StringIO(data.decode())))
    for row in rows[1:]:
        for cell in row:
            assert not cell or cell[0] not in "=+-@\t\r", row
    titles = [row[1] for row in rows[1:]]
    assert "'=HYPERLINK(\"https://evil.example\",\"click\")" in titles
    assert "'@SUM(A1:A9)" in titles and "'-2+3" in titles
    assert "''=already quoted" in titles and "'plain quote" in titles


def test_csv_with_hostile_cells_round_trips_exactly(store_dir: Path, tmp_path: Path) -> None:
    store = _hostile_store(store_dir)
    data, _ = export_items(store, "csv")
    fresh = Store.open(tmp_path / "fresh", seed=False)
    report = fresh.import_files([read_bytes(data, "export.csv")])
    assert report.problems == [] and report.warnings == []
    assert snapshot(fresh) == snapshot(store)


def test_a_foreign_csv_keeps_its_quotes(tmp_path: Path) -> None:
    data = b"title,body\n'=x,'-5 degrees overnight\n"
    record = read_bytes(data, "foreign.csv").records[0]
    assert (record.title, record.body) == ("'=x", "'-5 degrees overnight")


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "md"])
def test_every_format_strips_escape_sequences_from_a_hand_edited_store(
        store_dir: Path, fmt: str) -> None:
    store = Store.open(store_dir, seed=False)
    store.import_records([Record(body="Plain body", source="x.txt", title="T")])
    item = store.items()[0]
    hostile = "a\x1b]52;c;ZXZpbA==\x07b\x1b[2J\x9b31mc\u202ed\x85e"
    item["body"] = hostile + "\nsecond line"  # as a foreign or hand-edited items.json has
    item["title"] = hostile
    item["author"] = hostile
    out = export_items(store, fmt)[0].decode()
    for bad in ("\x1b", "\x07", "\x9b", "\u202e", "\x85"):
        assert bad not in out, (fmt, bad)
    assert "second line" in out


_STARTS = st.sampled_from(["", "=", "+", "-", "@", "\t", "\r", "'", "''", "'=", "'+", "'a"])
_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


@given(st.builds(lambda a, b: a + b, _STARTS, _TEXT))
def test_protect_is_undone_by_unprotect_and_never_leaves_a_formula(cell: str) -> None:
    safe = protect(cell)
    assert unprotect(safe) == cell
    assert not safe or safe[0] not in "=+-@\t\r"


_WORDS = st.text(alphabet="abc xyz,\"'\n=+-@;|!()", min_size=1, max_size=20)
_CELL = st.builds(lambda a, b: a + b, _STARTS, _WORDS)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.tuples(_CELL, _CELL, _CELL), min_size=1, max_size=4))
def test_csv_round_trip_with_hostile_cells_is_exact(
        tmp_path_factory: pytest.TempPathFactory,
        cells: list[tuple[str, str, str]]) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    store = Store.open(root / "a", seed=False)
    store.import_records([Record(body=f"{body} {n}", source="f.csv", title=title,
                                 author=author, guid=f"g{n}")
                          for n, (title, body, author) in enumerate(cells)])
    data, _ = export_items(store, "csv")
    fresh = Store.open(root / "b", seed=False)
    report = fresh.import_files([read_bytes(data, "export.csv")])
    assert report.problems == []
    assert snapshot(fresh) == snapshot(store)
