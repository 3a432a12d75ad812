"""Parsing items.json in slices gives exactly what parsing it whole gives."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import store.disk.jsonchunks as jsonchunks
from store.disk.atomic import AtomicJSONStorage, dumps

TRICKY = ['\n    "', ',\n    "x": {', "\n  }", "}", '"', "\\", "Orbán ☃ 🇺🇦", "\u2028", ""]


@pytest.fixture(autouse=True)
def tiny_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonchunks, "MIN_SIZE", 0)
    monkeypatch.setattr(jsonchunks, "CHUNK", 64)


texts = st.one_of(st.sampled_from(TRICKY), st.text(max_size=40))
docs = st.dictionaries(st.text(max_size=8), st.one_of(
    texts, st.integers(-(2**63), 2**63 - 1), st.lists(texts, max_size=3),
    st.dictionaries(st.text(max_size=5), texts, max_size=2)), max_size=5)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.integers(1, 10_000).map(str), docs, min_size=1, max_size=30),
       st.booleans())
def test_slices_parse_like_the_whole_file(tmp_path_factory: pytest.TempPathFactory,
                                          items: dict, meta_first: bool) -> None:
    path = tmp_path_factory.mktemp("chunks") / "items.json"
    meta = {"1": {"schema": 1, "note": '\n    "items": {\n'}}
    tables = {"_meta": meta, "items": items} if meta_first else {"items": items, "_meta": meta}
    path.write_bytes(dumps(tables))
    assert jsonchunks.load_tables(path) == orjson.loads(path.read_bytes())


def test_other_layouts_are_left_to_the_whole_file_parser(tmp_path: Path) -> None:
    path = tmp_path / "items.json"
    data = {"_meta": {"1": {"schema": 1}}, "items": {"1": {"id": "a", "body": "b"}}}
    path.write_text(json.dumps(data))  # compact: not dumps' layout
    assert jsonchunks.load_tables(path) is None
    path.write_text(json.dumps(data, indent=4))
    assert jsonchunks.load_tables(path) is None
    path.write_bytes(dumps({"_meta": {"1": {"schema": 1}}, "items": {}}))
    assert jsonchunks.load_tables(path) is None
    # the storage reads every one of them the same
    for text in (json.dumps(data), json.dumps(data, indent=4)):
        path.write_text(text)
        assert AtomicJSONStorage(path, kind="items").read() == data


def test_a_broken_file_is_reported_by_the_whole_file_parser(tmp_path: Path) -> None:
    from store.errors import StoreFormatError

    path = tmp_path / "items.json"
    good = dumps({"_meta": {"1": {"schema": 1}}, "items": {str(n): {"id": str(n), "body": "x"}
                                                             for n in range(50)}})
    path.write_bytes(good[: len(good) // 2] + b"garbage" + good[len(good) // 2:])
    with pytest.raises(StoreFormatError, match="not valid JSON"):
        AtomicJSONStorage(path, kind="items").read()
