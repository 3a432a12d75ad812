"""Fuzz what tests/test_importers.py and tests/test_query.py do not: the store's own
files (items.json, state.json, journal lines), importers fed valid text and random
column mappings, whole imports through the store, tag names, query evaluation, and a
damaged search cache. Random input is refused or reported, never a crash.

``NEWSDESK_SOAK=1`` runs ten times the examples.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.desk import ITEMS_FILE, Store, default_rules
from store.errors import StoreError, StoreFormatError
from store.ingest.importers import ImportOptions, read_bytes
from store.ingest.importers.fieldnames import FIELDS
from store.ingest.importers.tabular import read_delimited, read_json, read_jsonl
from store.search.index import MemoryUserState, SearchIndex
from store.search.query import QuerySyntaxError
from store.state.tagnames import TAG_MAX, TagNameError, clean_tag, parse_tag_edit
from store.text.clean import sanitize
from tests.conftest import REPO
from tests.test_importers import READERS, assert_well_formed
from tests.test_query import _QUERIES

pytestmark = pytest.mark.slow  # fuzzing with hypothesis: about ten seconds in all

SOAK = 10 if os.environ.get("NEWSDESK_SOAK") else 1
FUZZ = settings(max_examples=120 * SOAK, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SLOW_FUZZ = settings(FUZZ, max_examples=60 * SOAK)
RULES = default_rules()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded store with tags in a snapshot and in the journal, copied per example."""
    root = tmp_path_factory.mktemp("template") / "store"
    store = Store.open(root, rules=RULES)
    ids = store.ids()
    store.state.tag(ids[:3], add=["keep", "region/europe"])
    store.user.compact()
    store.state.tag(ids[3:5], add=["later"])
    return root


@contextmanager
def copy_of(template: Path) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "store"
        shutil.copytree(template, root, symlinks=True)
        yield root


_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
_json = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=12)
_item = st.fixed_dictionaries({}, optional={
    k: _json | st.text(max_size=10) for k in
    ("id", "body", "title", "position", "topics", "people", "places", "orgs", "line", "date",
     "source")})
_items_file = st.one_of(
    _json,
    st.fixed_dictionaries({"_meta": st.fixed_dictionaries({"1": st.fixed_dictionaries(
        {"schema": st.sampled_from([1, 0, 2, "1", None])})}),
        "items": st.dictionaries(st.sampled_from(["1", "2", "x", ""]), _item, max_size=3)}))
_history = st.lists(st.fixed_dictionaries({}, optional={
    "seq": st.integers(-1, 5) | _json, "label": st.text(max_size=4) | _json,
    "add": _json, "remove": _json}), max_size=2)
_state_file = st.one_of(
    _json,
    st.fixed_dictionaries({
        "_meta": st.fixed_dictionaries({"1": st.fixed_dictionaries(
            {"schema": st.sampled_from([1, 2, "1"])},
            optional={"seq": st.integers(-2, 9) | _json, "spelling": _json})}),
    }, optional={
        "tags": st.dictionaries(st.sampled_from(["1", "2"]), st.fixed_dictionaries(
            {}, optional={"id": _json, "tags": _json | st.lists(st.text(max_size=5))})),
        "read": st.dictionaries(st.just("1"), st.fixed_dictionaries({}, optional={"ids": _json})),
        "saved": st.dictionaries(st.just("1"), st.fixed_dictionaries(
            {}, optional={"name": _json, "query": _json})),
        "history": st.dictionaries(st.just("1"), st.fixed_dictionaries(
            {}, optional={"author": _json, "undo": _history, "redo": _history})),
    }))


@pytest.mark.parametrize("name", [ITEMS_FILE, "state.json"])
@SLOW_FUZZ
@given(data=st.data())
def test_any_store_file_content_opens_or_is_refused_untouched(
        template: Path, name: str, data: st.DataObject) -> None:
    strategy = _items_file if name == ITEMS_FILE else _state_file
    content = data.draw(st.one_of(strategy.map(lambda v: json.dumps(v).encode()),
                                  st.binary(max_size=60)))
    with copy_of(template) as root:
        (root / name).write_bytes(content)
        try:
            store = Store.open(root, rules=RULES)
        except StoreFormatError as exc:
            assert str(root / name) in str(exc)
            assert (root / name).read_bytes() == content  # refused: never written
        else:  # a valid file may be re-derived (retopic); what opened is usable
            for item in store.items():
                assert isinstance(item["title"], str) and isinstance(item["position"], int)
                store.state.tags_of(item["id"])


_record = st.fixed_dictionaries({"seq": st.integers(-1, 12) | _json}, optional={
    "kind": st.sampled_from(["tags", "read", "saved", "future"]) | _json,
    "add": _json | st.dictionaries(st.text(max_size=4), st.lists(st.text(max_size=4))),
    "remove": _json, "read": _json, "unread": _json, "set": _json, "delete": _json,
    "undo_of": _json, "redo_of": _json, "original": _json, "by": _json, "label": _json})
_line = st.one_of(_record.map(json.dumps), _json.map(json.dumps),
                  st.text(max_size=20).map(lambda t: t.replace("\n", " ")))


@SLOW_FUZZ
@given(lines=st.lists(_line, max_size=8))
def test_any_journal_lines_replay_without_crashing(template: Path, lines: list[str]) -> None:
    with copy_of(template) as root:
        journal = root / "journal.jsonl"
        with journal.open("a", encoding="utf-8") as fh:
            fh.write("".join(line + "\n" for line in lines))
        store = Store.open(root, rules=RULES)  # damaged lines are skipped, never fatal
        for problem in store.problems():
            assert str(journal) in problem or "state.json" in problem
        first = store.ids()[0]
        store.state.tag([first], add=["after-fuzz"])
        assert "after-fuzz" in Store.open(root, rules=RULES).state.tags_of(first)


_column = st.text(alphabet=st.sampled_from("abcXYZ _-é"), min_size=1, max_size=5)
_mapping = st.dictionaries(st.sampled_from(sorted(FIELDS)), _column.map(str.casefold),
                           max_size=4)
_cell = st.text(max_size=12)


@FUZZ
@given(header=st.lists(_column, min_size=1, max_size=5),
       rows=st.lists(st.lists(_cell, max_size=6), max_size=5), mapping=_mapping)
def test_csv_and_json_with_random_columns_and_maps(header: list[str], rows: list[list[str]],
                                                   mapping: dict[str, str]) -> None:
    for delimiter in (",", "\t"):
        lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
        assert_well_formed(read_delimited("\n".join(lines).encode(), "f", delimiter, mapping))
    objects = [dict(zip(header, row, strict=False)) for row in rows]
    assert_well_formed(read_json(json.dumps(objects).encode(), "f", mapping))
    lines = "\n".join(json.dumps(o) for o in objects).encode()
    assert_well_formed(read_jsonl(lines, "f", mapping))


@FUZZ
@given(text=st.text(max_size=300))
def test_every_reader_on_valid_text(text: str) -> None:
    """Random bytes mostly fail at decoding; valid UTF-8 reaches the parsers' logic."""
    for reader in READERS.values():
        assert_well_formed(reader(text.encode("utf-8", "surrogatepass")))


_head = st.sampled_from(["", "title,body\n", "body\ttags\n", "[", "{", '{"body": "x"}\n',
                         "<rss version='2.0'><channel>", "<feed xmlns='http://www.w3.org/2005/"
                         "Atom'>", "<?xml version='1.0'?>", "<!--", "\ufeff"])


@SLOW_FUZZ
@given(head=_head, rest=st.text(max_size=200), paragraphs=st.booleans(), mapping=_mapping)
def test_whole_imports_through_the_store(template: Path, head: str, rest: str,
                                         paragraphs: bool, mapping: dict[str, str]) -> None:
    options = ImportOptions(paragraphs=paragraphs, mapping=mapping)
    result = read_bytes((head + rest).encode("utf-8", "surrogatepass"), "fuzz", options)
    assert_well_formed(result)
    with copy_of(template) as root:
        store = Store.open(root, rules=RULES)
        before = len(store)
        report = store.import_files([result])
        assert before <= len(store) <= before + len(result.records)
        assert report.added == len(store) - before
        reopened = Store.open(root, rules=RULES)
        assert reopened.ids() == store.ids()
        assert reopened.state.tags_of(store.ids()[0]) == ["keep", "region/europe"]


@FUZZ
@given(raw=st.text(max_size=80))
def test_tag_names_are_clean_or_refused_with_a_reason(raw: str) -> None:
    try:
        name = clean_tag(raw)
    except TagNameError as exc:
        assert exc.reason and raw == exc.name
    else:
        assert name and len(name) <= TAG_MAX and "," not in name and name[0] not in "+-"
        assert sanitize(name) == name and "\n" not in name and "\t" not in name
        assert all(part and part == part.strip() for part in name.split("/"))
        assert clean_tag(name) == name  # idempotent
    try:
        add, remove = parse_tag_edit(raw)
    except TagNameError:
        return
    assert all(clean_tag(n) == n for n in add + remove)


@pytest.fixture(scope="module")
def index(template: Path) -> SearchIndex:
    return SearchIndex.build(Store.open(template, rules=RULES).items())


@FUZZ
@given(query=_QUERIES)
def test_any_structured_query_evaluates_or_raises_a_positioned_error(
        index: SearchIndex, query: str) -> None:
    user = MemoryUserState()
    try:
        found = index.search(query, user)
        ordered = index.search(query, user, order="original", limit=5)
    except QuerySyntaxError as exc:
        assert 0 <= exc.position <= len(query)
        return
    assert len(found) == len(set(found)) == index.count(query, user)
    assert ordered == [i for i in index.search(query, user, order="original")][:5]


def test_a_damaged_search_cache_never_breaks_a_search(tmp_path: Path) -> None:
    """Damage in index.bin must cost a rebuild from the items, never a wrong answer or an
    error (in the store and in the CLI). Loaded unchecked, this test found wrong
    answers; the cache's checksums are now verified on load."""
    root = tmp_path / "store"
    store = Store.open(root, rules=RULES)
    queries = ("nato", "ukraine security", "guarant*", '"security guarantees"', "-nato drone",
               "title:nato", "a*")
    expected = {q: store.search(q) for q in queries}
    raw = (root / "index.bin").read_bytes()
    rng = random.Random(3)
    for _ in range(60):
        data = bytearray(raw)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data) // 4, len(data))] = rng.randrange(256)
        (root / "index.bin").write_bytes(bytes(data))
        fresh = Store.open(root, rules=RULES)
        for query in queries:
            assert fresh.search(query) == expected[query], query
    (root / "index.bin").write_bytes(bytes(b ^ 0x5A for b in raw))
    out = subprocess.run([sys.executable, "-m", "tui", "--store", str(root), "search",
                          "--count", "nato"], cwd=REPO, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == str(len(expected["nato"]))


LAZY_CLI = """
import contextlib, io, sys
import store.search.index
store.search.codec.LAZY_CHECK_FROM = 0  # check every section on first use, as the big ones are
from tui.cli import main
root, damaged = sys.argv[1], open(sys.argv[2], "rb").read()
for query in sys.argv[3:]:
    for extra in ([], ["--count"]):
        open(root + "/index.bin", "wb").write(damaged)  # a fallback rebuilds it
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            main(["--store", root, "search", query, *extra])
        print(repr(out.getvalue()))
"""


def test_the_cli_with_lazy_checks_never_answers_from_a_damaged_cache(tmp_path: Path) -> None:
    """The CLI checks the big sections of index.bin when a query reads them: damage must
    still end in the slow path's right answer (listing and count), never a wrong one."""
    root = tmp_path / "store"
    Store.open(root, rules=RULES).ensure_index()
    raw = (root / "index.bin").read_bytes()
    queries = ["nato", '"security guarantees"', "guarant* -drone", "title:nato"]

    def answers(data: bytes) -> str:
        (tmp_path / "damaged.bin").write_bytes(data)
        out = subprocess.run([sys.executable, "-c", LAZY_CLI, str(root),
                              str(tmp_path / "damaged.bin"), *queries],
                             cwd=REPO, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        return out.stdout

    expected = answers(raw)
    rng = random.Random(5)
    head = int.from_bytes(raw[:8], "little") + 8
    for _ in range(6):
        data = bytearray(raw)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(head, len(data))] ^= 1 << rng.randrange(8)
        assert answers(bytes(data)) == expected


def test_store_errors_are_the_only_errors_a_damaged_store_raises(template: Path) -> None:
    """The smallest cases the fuzzers found most often, kept as plain examples."""
    with copy_of(template) as root:
        (root / ITEMS_FILE).write_text('{"_meta": {"1": {"schema": 1}}, "items": '
                                       '{"1": {"id": "x", "body": "b", "people": [1]}}}')
        with pytest.raises(StoreError, match="item 1 has a wrong 'people'"):
            Store.open(root, rules=RULES)
