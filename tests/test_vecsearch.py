"""The numpy evaluator (store/search/rank.py) gives exactly the pure-Python answers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import store.search.rank  # loaded: count() and matches() use numpy only once it is
from store.search.index import MemoryUserState, SearchIndex
from store.search.query import parse
from tests.conftest import REPO
from tests.test_index import ID, ITEMS, QUERIES, USER


def _saved(index: SearchIndex, path: Path) -> SearchIndex:
    index.save(path, "s")
    loaded = SearchIndex.load(path, "s")
    assert loaded is not None
    return loaded


@pytest.fixture(scope="module", params=["built", "segments", "out-of-order", "loaded"])
def index(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> SearchIndex:
    """The seed briefs indexed in the shapes the evaluators treat differently."""
    if request.param == "built":
        return SearchIndex.build(ITEMS)
    grown = SearchIndex.build(ITEMS[:12] if request.param != "out-of-order" else ITEMS[10:])
    grown.add(ITEMS[12:] if request.param != "out-of-order" else ITEMS[:10])
    if request.param == "loaded":
        return _saved(grown, tmp_path_factory.mktemp("vec") / "index.bin")
    return grown


def both(index: SearchIndex, call: str, *args: Any, **kw: Any) -> tuple[Any, Any]:
    """``index.call(...)`` by the pure-Python evaluator and by numpy."""
    out = []
    for vectorize in (False, True):
        index.vectorize = vectorize
        try:
            out.append(getattr(index, call)(*args, **kw))
        finally:
            index.vectorize = None
    return out[0], out[1]


def assert_same(index: SearchIndex, query: str, user: Any = USER) -> None:
    within = frozenset(ID[n] for n in range(1, 31, 2))
    for kw in ({}, {"order": "original"}, {"limit": 3}, {"limit": 0},
               {"order": "original", "limit": 4}, {"within": within},
               {"within": set(within), "limit": 2}):
        python, vec = both(index, "search", query, user, **kw)
        assert python == vec, (query, kw)
    for call, kw in (("count", {}), ("count", {"within": within}), ("matches", {})):
        python, vec = both(index, call, query, user, **kw)
        assert python == vec, (call, query, kw)
    # count() answers one word from its document frequency: the same number
    assert index.count(query, user) == len(index.search(query, user, order="original"))


@pytest.mark.parametrize("query", QUERIES + ['"the war in ukraine"', 'title:"emergency m*"',
                                             '"security g*"', "nato -russian guarant*"])
def test_numpy_gives_the_python_answers(index: SearchIndex, query: str) -> None:
    assert_same(index, query)


WORDS = ["ukraine", "nato", "security", "guarantees", "paris", "tusk", "zelenskyy", "war",
         "the", "in", "drones", "macron", "kyiv", "talks", "russian", "emergency", "meeting",
         "nosuchword"]
LEAVES = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(WORDS).map(lambda w: w[: max(2, len(w) // 2)] + "*"),
    st.lists(st.sampled_from(WORDS), min_size=2, max_size=4).map(lambda ws: f'"{" ".join(ws)}"'),
    st.sampled_from(["title:paris", "title:nato", 'title:"emergency meeting"', "person:tusk",
                     "topic:security", "topic:tech*", "place:azov", "source:briefs-a.txt",
                     "date:2025-02", "date:>2025-03-01", "before:2025-01-07", "tag:region",
                     "tag:reg*", "is:read", "is:unread", "is:tagged", "is:untagged",
                     '"security guarantees"', "date:2024"]),
)


def _query(leaves: list[str], ops: list[str]) -> str:
    out = leaves[0]
    for leaf, op in zip(leaves[1:], ops, strict=False):
        out = f"({out}) {op} {leaf}" if op == "OR" else f"{out} {op}{leaf}"
    return out


QUERY_TEXT = st.builds(
    _query,
    st.lists(LEAVES, min_size=1, max_size=4),
    st.lists(st.sampled_from(["", "-", "OR"]), max_size=3),
)


@pytest.mark.slow
@settings(max_examples=120, deadline=None)
@given(QUERY_TEXT, st.sampled_from(["built", "segments", "out-of-order"]))
def test_random_queries_agree(query: str, shape: str) -> None:
    """QUERY_TEXT builds valid queries only, so none is skipped: each must parse, and
    the pure-Python and numpy evaluators must agree on it."""
    assert parse(query) is not None
    assert_same(_SHAPES[shape], query)


_SHAPES = {"built": SearchIndex.build(ITEMS)}
_SHAPES["segments"] = SearchIndex.build(ITEMS[:12])
_SHAPES["segments"].add(ITEMS[12:])
_SHAPES["out-of-order"] = SearchIndex.build(ITEMS[10:])
_SHAPES["out-of-order"].add(ITEMS[:10])


def test_equal_scores_keep_position_order() -> None:
    items = [{"id": f"i{n:02d}", "title": f"brief {n}", "body": f"brief {n}. alpha beta",
              "position": n} for n in range(40)]
    index = SearchIndex.build(items)
    for query in ("alpha", "alpha beta", "alpha OR nothing", '"alpha beta"', "-zzz"):
        python, vec = both(index, "search", query)
        assert python == vec == [f"i{n:02d}" for n in range(40)], query


def test_auto_uses_numpy_from_a_size(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = store.search.rank.search
    monkeypatch.setattr(store.search.rank, "search", lambda *a: calls.append("vec") or real(*a))
    index = SearchIndex.build(ITEMS)
    expected = index.search("ukraine")
    assert calls == []  # 30 items: the Python sets are cheaper than importing numpy
    monkeypatch.setattr("store.search.index.VECTORIZE_FROM", 30)
    assert index.search("ukraine") == expected
    assert calls == ["vec"]


def test_warm_prepares_the_first_search(monkeypatch: pytest.MonkeyPatch) -> None:
    index = SearchIndex.build(ITEMS)
    index.warm()
    assert index.arrays is None  # small: the Python path, nothing to prepare
    monkeypatch.setattr("store.search.index.VECTORIZE_FROM", 30)
    index.warm()
    assert index.arrays is not None and index.arrays._rows is not None
    assert index.search("ukraine", order="original")[:2] == [ID[1], ID[3]]


def test_user_state_changes_are_seen() -> None:
    index = SearchIndex.build(ITEMS)
    index.vectorize = True
    user = MemoryUserState()
    assert index.count("is:read", user) == 0
    user.mark_read(ID[4])
    assert index.search("is:read", user) == [ID[4]]
    assert index.count("is:unread", user) == 29
    user.set_tags(ID[5], ["a/b"])
    assert index.search("tag:b", user) == [ID[5]]


FRESH = """
import sys
from store.search.index import SearchIndex
from tests.test_index import ITEMS
index = SearchIndex.build(ITEMS)
index.vectorize = True
print(index.count("ukraine"), len(index.matches("nato")), "numpy" in sys.modules)
print(len(index.search("ukraine")), "numpy" in sys.modules)
"""


def test_count_alone_does_not_import_numpy() -> None:
    out = subprocess.run([sys.executable, "-c", FRESH], cwd=REPO, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["23", "9", "False", "23", "True"]


CLI_COUNT = """
import sys
import store.search.index
store.search.index.VECTORIZE_FROM = 0  # even so, the one-shot CLI keeps to the Python path
from tui.cli import main
if sys.argv[2] == "create":
    from store.desk import Store

    Store.open(sys.argv[1])  # the seed briefs
main(["--store", sys.argv[1], "search", "ukraine", "--count"])
print("numpy" in sys.modules, file=sys.stderr)
"""


def test_cli_search_does_not_import_numpy(tmp_path: Path) -> None:
    for step in ("create", "search"):  # the first run builds index.bin, the second loads it
        out = subprocess.run([sys.executable, "-c", CLI_COUNT, str(tmp_path / "s"), step],
                             cwd=REPO, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
    assert (tmp_path / "s" / "index.bin").exists()
    assert out.stderr.strip().splitlines()[-1] == "False"
    assert int(out.stdout) > 0


@pytest.mark.parametrize("ids", [["a", "bb", "ccc", "dddd"] * 10,  # widths differ
                                 ["é" + str(n % 10) for n in range(40)],  # 3 UTF-8 bytes
                                 ["ça1", "x\ud800", "日本", "abcd"] * 10])  # same width, mixed
def test_any_ids_come_back_in_order(ids: list[str], tmp_path: Path) -> None:
    items = [{"id": f"{i}{n}" if n >= 4 else i, "title": f"t {n % 3}", "body": f"b {n % 5} x",
              "position": n} for n, i in enumerate(ids)]
    built = SearchIndex.build(items)
    for index in (built, _saved(built, tmp_path / "index.bin")):
        for query in ("x", "b OR t", "t 1", "x -1", ""):
            python, vec = both(index, "search", query)
            assert python == vec and len(vec) > 5, query
