"""The one-word shortcut (store/search/topk.py) and block checksums (a posting checked in
part): the same answers as the general path, and damage still caught where it is read."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from store.search.index import SearchIndex
from store.search.query import parse
from store.search.topk import top_of_one_word

WORDS = ["drone", "kyiv", "port", "grain", "talks", "minister", "strike", "winter"]


def _items(n: int, seed: int, start: int = 0) -> list[dict[str, Any]]:
    """Items with few distinct lengths and word counts: many equal weights (ties)."""
    rng = random.Random(seed)
    out = []
    for i in range(start, start + n):
        words = rng.choices(WORDS, k=rng.choice((3, 3, 5, 8)))
        body = " ".join(words).capitalize() + "."
        out.append({"id": f"{i:012x}", "title": " ".join(words[:2]).capitalize(),
                    "body": body, "position": i})
    return out


def _grown() -> SearchIndex:
    index = SearchIndex.build(_items(300, 1))
    index.add(_items(200, 2, start=300))
    index.add(_items(90, 3, start=500))
    return index


@pytest.mark.parametrize("shape", ["one segment", "three segments"])
def test_the_shortcut_gives_the_general_answer(shape: str) -> None:
    index = SearchIndex.build(_items(590, 4)) if shape == "one segment" else _grown()
    index.vectorize = False
    for word in [*WORDS, "nosuchword", "dro*", "minis*"]:
        full = index.search(word)  # no limit: the general path, every hit scored
        for limit in (0, 1, 2, 7, 50, 200, 589, 590, 10_000):
            top = top_of_one_word(index, parse(word), limit)
            assert top is not None, word  # taken for one word (and a one-term prefix)
            assert index._ids_of(top) == full[:limit], (word, limit)
            assert index.search(word, limit=limit) == full[:limit]


def test_the_shortcut_leaves_other_queries_to_the_general_path() -> None:
    index = _grown()
    for query in ("drone kyiv", "drone OR kyiv", "-drone", '"drone kyiv"', "title:drone",
                  "person:tusk"):
        assert top_of_one_word(index, parse(query), 5) is None, query
    two = SearchIndex.build([{"id": "a", "title": "Drone", "body": "Drone seen.", "position": 0},
                             {"id": "b", "title": "Drama", "body": "Drama.", "position": 1}])
    assert top_of_one_word(two, parse("dr*"), 5) is None  # two terms: their scores add
    assert two.search("dr*", limit=1) == two.search("dr*")[:1]


def test_out_of_position_order_falls_back_and_still_agrees() -> None:
    index = SearchIndex.build(_items(100, 5, start=100))
    index.add(_items(100, 6, start=0))  # positions before the first segment's
    assert not index.monotonic()
    assert top_of_one_word(index, parse("drone"), 5) is None
    assert index.search("drone", limit=5) == index.search("drone")[:5]


def test_a_posting_is_checked_by_its_blocks(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """With block checksums, a query checks only the blocks it reads: damage in one
    word's postings fails that word (ValueError: the CLI rebuilds), others answer."""
    monkeypatch.setattr("store.search.codec.CHECK_BLOCK", 64)
    monkeypatch.setattr("store.search.codec.LAZY_CHECK_FROM", 64)
    built = SearchIndex.build(_items(590, 7))
    expected = {w: built.search(w, limit=20) for w in WORDS}
    path = tmp_path / "index.bin"
    built.save(path, "sig")
    lazy = SearchIndex.load(path, "sig", verify="lazy")
    assert lazy is not None
    lazy.vectorize = False
    assert {w: lazy.search(w, limit=20) for w in WORDS} == expected
    text = lazy.segments[0].lex["text"]
    assert "docs" in text._pending  # read in part only: never checked whole
    # damage the last posting of one word, in the file
    k = text.find("winter")
    docs_at = _section_offset(path, text, "docs")
    raw = bytearray(path.read_bytes())
    raw[docs_at + 4 * (text.doff[k + 1] - 1)] ^= 0x01
    path.write_bytes(bytes(raw))
    damaged = SearchIndex.load(path, "sig", verify="lazy")
    assert damaged is not None
    damaged.vectorize = False
    with pytest.raises(ValueError, match="damaged"):
        damaged.search("winter", limit=20)
    far = next(w for w in sorted(WORDS) if _blocks_apart(text, w, "winter", 64))
    assert damaged.search(far, limit=20) == expected[far]


def _section_offset(path: Path, lex: Any, name: str) -> int:
    """Where the bytes of a lexicon's loaded section start in the file."""
    import mmap

    view = lex._pending[name][0]
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as whole:
        return whole.find(view.tobytes())


def _blocks_apart(lex: Any, a: str, b: str, size: int) -> bool:
    """Whether the postings of words ``a`` and ``b`` share no checksum block."""
    def blocks(word: str) -> set[int]:
        k = lex.find(word)
        lo, hi = lex.doff[k] * 4, lex.doff[k + 1] * 4
        return set(range(lo // size, -(-hi // size)))

    return not blocks(a) & blocks(b)


def _dated(n: int, seed: int, start: int = 0) -> list[dict[str, Any]]:
    """Items over a few days (many on one day), some undated."""
    rng = random.Random(seed)
    out = _items(n, seed, start)
    for item in out:
        if rng.random() < 0.85:
            item["date"] = f"2025-0{rng.randint(1, 3)}-{rng.randint(10, 12)}T08:00:00Z"
    return out


@pytest.mark.parametrize("shape", ["one segment", "three segments", "out of order"])
def test_newest_first_is_the_lists_order(shape: str) -> None:
    """``newest_first`` (runs of a day read from the sorted dates) gives what sorting
    every item by day gives: newest first, a day in original order, undated last."""
    if shape == "one segment":
        index = SearchIndex.build(_dated(400, 8))
    else:
        index = SearchIndex.build(_dated(200, 9, start=200 if shape == "out of order" else 0))
        index.add(_dated(150, 10, start=0 if shape == "out of order" else 200))
        index.add(_dated(50, 11, start=400))
    ids, days = index.ids(), index.days()
    expected = sorted(ids, key=dict(zip(ids, days, strict=True)).__getitem__, reverse=True)
    newest = index.newest_first()
    if shape == "out of order":
        assert newest is None  # the caller sorts every id (as before)
        return
    assert newest is not None
    order, starts = newest
    assert [index.id_at(o) for o in order] == expected
    day_of = dict(zip(ids, days, strict=True))
    bounds = [s for s, _ in starts] + [len(order)]
    for (start, day), end in zip(starts, bounds[1:], strict=True):
        assert {day_of[index.id_at(o)] for o in order[start:end]} == {day}
    assert starts[-1][1] == ""  # the undated run comes last
