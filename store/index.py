"""The search index: an inverted index over item content, kept in a rebuildable cache.

Why this shape:

* Each content term has a posting list of item ordinals, a one-byte BM25 weight per
  posting, and the term's *global token positions* (every item owns a range of one
  position space), plus a forward array holding the term at each position. A phrase
  starts at the rarest word's positions and checks its neighbours in the forward
  array: cost follows the rarest word, no item text is needed.
* Everything is a few flat arrays and one sorted key blob per lexicon, so the cache
  file is sections of raw bytes. ``load`` maps the file and reads only the header:
  a postings list is sliced out when a query touches its term. A 100k-item index
  opens in milliseconds, so a one-shot CLI search never reads the store JSON.
* ``add`` appends a segment instead of rewriting the arrays; a query runs over all
  segments (idf is computed over all of them).
* Tags and read marks are user state, asked from a ``UserState`` at query time.
* Two evaluators give the same answers: the pure-Python one here (sets of ordinals;
  small indexes and the one-shot CLI, which should not import numpy) and
  ``store.vecsearch`` (numpy masks and arrays over the same sections; big indexes,
  see ``SearchIndex.vectorize``).
"""

from __future__ import annotations

import bisect
import contextlib
import heapq
import marshal
import math
import mmap
import os
import re
import sys
import zlib
from array import array
from collections import Counter, OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from itertools import accumulate, chain, compress, repeat
from operator import itemgetter
from typing import Any, Literal, Protocol

from store.query import (
    FIELDS,
    And,
    DateMatch,
    FieldMatch,
    Flag,
    MatchAll,
    Node,
    Not,
    Or,
    Phrase,
    Term,
    parse,
    positive_text,
)
from store.text import fold, fold_path, terms, tokens

__all__ = ["MemoryUserState", "SearchIndex", "UserState", "highlight_spans"]

ORDERS = ("relevance", "original")
U32 = next(code for code in "IL" if array(code).itemsize == 4)
K1, B = 1.2, 0.75  # BM25
TITLE_BOOST, BODY_BOOST, META_BOOST = 2.0, 1.0, 1.5
MAX_SCORED_EXPANSIONS = 64  # a prefix matching more terms than this filters but does not score
LAZY_CHECK_FROM = 1 << 20  # load(verify="lazy") checks sections this big on first use
VECTORIZE_FROM = 10_000  # items from which ``SearchIndex.vectorize`` None means "use numpy"
_MAGIC = b"NDSKIDX\x01"
_FORMAT = 1
_DAY = re.compile(rb"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_WIDTH = 10


# -- user state -----------------------------------------------------------------------


class UserState(Protocol):
    """What a query asks about user state (tags, read marks); never baked into the index.

    ``tagged_ids``/``read_ids`` let ``tag:`` and ``is:`` look only at items that have
    state. ``revision`` must change whenever tags or read marks change: the index keeps
    what it derived from the state (id -> ordinal sets) until the revision moves, so
    typing a query does not redo that work on every keystroke.
    """

    def tags_of(self, item_id: str) -> Sequence[str]:
        """The item's tags as displayed, hierarchical by "/" (``region/europe``)."""
        ...

    def tagged_ids(self) -> Collection[str]:
        """Ids with at least one tag."""
        ...

    def read_ids(self) -> Collection[str]:
        """Ids marked read."""
        ...

    def revision(self) -> int:
        """A number that changes whenever any tag or read mark changes."""
        ...


class MemoryUserState:
    """A UserState held in memory: for tests, benchmarks and stores without state.

    Change it through ``set_tags`` and ``mark_read`` so the revision moves.
    """

    def __init__(
        self, tags: Mapping[str, Iterable[str]] | None = None, read: Iterable[str] = ()
    ) -> None:
        self._tags = {k: list(v) for k, v in (tags or {}).items() if v}
        self._read = set(read)
        self._revision = 0

    def tags_of(self, item_id: str) -> Sequence[str]:
        return self._tags.get(item_id, [])

    def is_read(self, item_id: str) -> bool:
        return item_id in self._read

    def tagged_ids(self) -> Collection[str]:
        return self._tags.keys()

    def read_ids(self) -> Collection[str]:
        return self._read

    def revision(self) -> int:
        return self._revision

    def set_tags(self, item_id: str, tags: Iterable[str]) -> None:
        self._tags[item_id] = list(tags)
        if not self._tags[item_id]:
            del self._tags[item_id]
        self._revision += 1

    def mark_read(self, item_id: str, read: bool = True) -> None:
        if read:
            self._read.add(item_id)
        else:
            self._read.discard(item_id)
        self._revision += 1


# -- keys of the field lexicons ------------------------------------------------------


@lru_cache(maxsize=4096)
def path_keys(path: str) -> tuple[str, ...]:
    """Keys a hierarchical name is found by: each prefix path, and the leaf.

    ``Security/NATO`` -> ``security``, ``security/nato``, ``nato``.
    """
    parts = fold_path(path).split("/")
    if parts == [""]:
        return ()
    keys = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    if len(parts) > 1:
        keys.append(parts[-1])
    return tuple(keys)


@lru_cache(maxsize=65536)
def name_keys(name: str, longest: int = 6) -> tuple[str, ...]:
    """Keys a name is found by: every run of up to ``longest`` consecutive folded words,
    so ``person:tusk`` and ``person:"donald tusk"`` both find ``Donald Tusk``."""
    words = terms(name)
    return tuple(
        " ".join(words[i:j])
        for i in range(len(words))
        for j in range(i + 1, min(len(words), i + longest) + 1)
    )


def _values(item: Mapping[str, Any], key: str) -> list[str]:
    """``item[key]`` as a list of strings (a missing or odd value is empty)."""
    value = item.get(key)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str)]
    return []


def _item_fields() -> dict[str, tuple[str, str]]:
    """The field lexicons the index builds: field name -> (kind, item key)."""
    return {
        name: (spec.kind, spec.key)
        for name, spec in FIELDS.items()
        if not spec.user and spec.kind in ("path", "name")
    }


# -- lexicons ------------------------------------------------------------------------


class _Deferred:
    """Attributes holding a cache section whose checksum is checked on first use (see
    ``SearchIndex.load(verify="lazy")``): a damaged section raises ValueError then."""

    _pending: dict[str, tuple[Any, Any, int, bool]]

    def defer(self, name: str, padded: Any, crc: int, copy: bool) -> None:
        """Check ``crc`` over ``padded`` when ``name`` is first read (``copy``: as bytes)."""
        if "_pending" not in self.__dict__:
            self._pending = {}
        self._pending[name] = (getattr(self, name), padded, crc, copy)
        delattr(self, name)

    def __getattr__(self, name: str) -> Any:
        pending = self.__dict__.get("_pending")
        if not pending or name not in pending:
            raise AttributeError(name)
        value, padded, crc, copy = pending[name]
        if zlib.crc32(padded) != crc:
            raise ValueError(f"the index cache is damaged ({name})")
        del pending[name]
        value = bytes(value) if copy else value
        setattr(self, name, value)
        return value


class Lexicon(_Deferred):
    """Sorted keys, each with a postings list of ordinals; for the text lexicon also a
    weight per posting and the key's global token positions. Arrays may be memoryviews
    into the cache file."""

    ARRAYS = ("keys", "koff", "docs", "doff", "wts", "pos", "poff")

    def __init__(
        self,
        keys: bytes,
        koff: Sequence[int],
        docs: Sequence[int],
        doff: Sequence[int],
        wts: Sequence[int] | None = None,
        pos: Sequence[int] | None = None,
        poff: Sequence[int] | None = None,
    ) -> None:
        self.keys, self.koff, self.docs, self.doff = keys, koff, docs, doff
        self.wts, self.pos, self.poff = wts, pos, poff
        self.size = len(koff) - 1

    @classmethod
    def build(cls, docs: Mapping[str, array]) -> Lexicon:
        """A docs-only lexicon (fields, titles, ids) from key -> ordinals."""
        order = sorted(docs, key=_utf8)
        encoded = [_utf8(k) for k in order]
        flat = array(U32)
        for key in order:
            flat.extend(docs[key])
        return cls(
            b"".join(encoded),
            _offsets(map(len, encoded)),
            flat,
            _offsets(len(docs[k]) for k in order),
        )

    def key(self, k: int) -> bytes:
        return self.keys[self.koff[k] : self.koff[k + 1]]

    def find(self, key: str) -> int:
        """The index of ``key``, or -1."""
        raw = _utf8(key)
        k = bisect.bisect_left(range(self.size), raw, key=self.key)
        return k if k < self.size and self.key(k) == raw else -1

    def prefixed(self, prefix: str) -> range:
        """The indexes of the keys that start with ``prefix``."""
        raw = _utf8(prefix)
        lo = bisect.bisect_left(range(self.size), raw, key=self.key)
        hi = bisect.bisect_left(range(lo, self.size), raw + b"\xff", key=self.key) + lo
        return range(lo, hi)

    def df(self, k: int) -> int:
        return self.doff[k + 1] - self.doff[k]

    def postings(self, k: int) -> Sequence[int]:
        return self.docs[self.doff[k] : self.doff[k + 1]]

    def weights(self, k: int) -> Sequence[int]:
        assert self.wts is not None
        return self.wts[self.doff[k] : self.doff[k + 1]]

    def positions(self, k: int) -> Sequence[int]:
        assert self.pos is not None and self.poff is not None
        return self.pos[self.poff[k] : self.poff[k + 1]]

    def arrays(self) -> list[Any]:
        return [getattr(self, name) for name in self.ARRAYS]


# -- segments ------------------------------------------------------------------------


class Segment(_Deferred):
    """Items ``start .. start+n`` of the index, ordered by position, with their lexicons."""

    ARRAYS = (
        "ids", "ids_off", "titles", "titles_off", "positions", "bases", "tlen", "dates",
        "date_ords", "fwd",
    )

    def __init__(self, start: int, n: int, stats: tuple[int, int, int], **parts: Any) -> None:
        self.start, self.n, self.stats = start, n, stats
        self.ids_blob: bytes = parts["ids"]  # "\0"-joined UTF-8
        self.ids_off: Sequence[int] = parts["ids_off"]  # where each id starts, +end
        self.titles_blob: bytes = parts["titles"]
        self.titles_off: Sequence[int] = parts["titles_off"]
        self.positions: Sequence[int] = parts["positions"]
        self.bases: Sequence[int] = parts["bases"]  # first token position of each item, +end
        self.tlen: Sequence[int] = parts["tlen"]  # title tokens at the start of each item
        self.dates: bytes = parts["dates"]  # sorted YYYY-MM-DD, fixed width
        self.date_ords: Sequence[int] = parts["date_ords"]
        self.fwd: Sequence[int] = parts["fwd"]  # text-lexicon key index at each position
        self._bases: list[int] | None = None
        self.lex: dict[str, Lexicon] = parts["lex"]
        self._cache: OrderedDict[tuple, frozenset[int]] = OrderedDict()

    def bases_list(self) -> list[int]:
        """``bases`` as a list: bisect on it is faster than on a memoryview."""
        if self._bases is None:
            self._bases = list(self.bases)
        return self._bases

    def ids(self) -> list[str]:
        return str(self.ids_blob, "utf-8", "surrogatepass").split("\x00") if self.n else []

    def id_at(self, local: int) -> str:
        """One id, decoded alone (a one-shot CLI search needs only a few)."""
        return _blob_at(self.ids_blob, self.ids_off, local)

    def title_at(self, local: int) -> str:
        return _blob_at(self.titles_blob, self.titles_off, local)

    def find(self, item_id: str) -> int:
        """The local ordinal of ``item_id`` by binary search in the id lexicon, or -1."""
        lex = self.lex["id"]
        k = lex.find(item_id.casefold())
        if k >= 0:
            for local in lex.postings(k):
                if self.id_at(local) == item_id:
                    return local
        return -1

    def docs(self, lex: str, k: int) -> frozenset[int]:
        """The ordinals of key ``k`` of lexicon ``lex``, as a set."""
        return self._cached((lex, k), lambda: self.lex[lex].postings(k))

    def date_range(self, op: str, value: str) -> frozenset[int]:
        """Ordinals whose date, cut to the precision of ``value``, compares by ``op``."""
        def make() -> Sequence[int]:
            start, end = self.date_bounds(op, value)
            return self.date_ords[start:end]

        return self._cached(("date", op, value), make)

    def date_bounds(self, op: str, value: str) -> tuple[int, int]:
        """Where the ordinals of ``date_range`` lie in ``date_ords`` (start, end)."""
        width, raw = len(value), value.encode("ascii")
        count = len(self.date_ords)

        def cut(i: int) -> bytes:
            return self.dates[i * _DATE_WIDTH : i * _DATE_WIDTH + width]

        lo = bisect.bisect_left(range(count), raw, key=cut)
        hi = bisect.bisect_right(range(count), raw, key=cut)
        bounds = {"=": (lo, hi), "<": (0, lo), "<=": (0, hi), ">": (hi, count)}
        return bounds.get(op, (lo, count))

    def _cached(self, key: tuple, make: Callable[[], Iterable[int]]) -> frozenset[int]:
        """``make()`` as a set; the last few are kept (typing a query repeats terms)."""
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = frozenset(make())
            if len(self._cache) > 64:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return hit


class _SegmentBuilder:
    """Turns items into the arrays of one segment.

    Every token of the segment goes into one flat list (``""`` between fields, so no
    phrase spans two); a token's index there is its global position. Postings are
    then made by stable sorts on term ids instead of a Python loop per token.
    """

    def __init__(self, items: list[Mapping[str, Any]], start: int, prior: tuple[int, int, int]):
        self.items, self.start, self.prior = items, start, prior

    def build(self) -> Segment:
        items = self.items
        flat: list[str] = []
        bases, tlens = array(U32), array(U32)
        spans: list[tuple[int, int, int, int]] = []  # start, title len, body len, meta start
        sum_title = sum_body = 0
        for item in items:
            title = terms(_text(item, "title"))
            body = terms(_text(item, "body"))
            start = len(flat)
            if body[: len(title)] != title:  # the title is not the body's first sentence
                flat += title
                flat.append("")
            flat += body
            flat.append("")
            meta = len(flat)
            for key in _META_KEYS:
                for value in _values(item, key):
                    flat += _value_terms(value)
                    flat.append("")
            flat += _value_terms(_day(item).decode("ascii"))
            flat.append("")
            flat += terms(_text(item, "id"))
            flat.append("")
            bases.append(start)
            tlens.append(len(title))
            spans.append((start, len(title), len(body), meta))
            sum_title += len(title)
            sum_body += len(body)
        bases.append(len(flat))
        n0, t0, b0 = self.prior
        count = max(n0 + len(items), 1)
        avg_title = max((t0 + sum_title) / count, 1.0)
        avg_body = max((b0 + sum_body) / count, 1.0)

        vocab = sorted(set(flat) - {""}, key=_utf8)
        tid = {term: i for i, term in enumerate(vocab)}
        tid[""] = gap = len(vocab)
        # postings: (term id, ordinal, weight) for each distinct term of each item
        p_tid: list[int] = []
        p_doc: list[int] = []
        p_wt: list[int] = []
        quantize = _Quantized()
        for ordinal, (start, tlen, blen, meta) in enumerate(spans):
            end = bases[ordinal + 1]
            bnorm = BODY_BOOST / (1 - B + B * blen / avg_body)
            tnorm = TITLE_BOOST / (1 - B + B * tlen / avg_title)
            # BM25F: field-normalized term frequencies summed with boosts
            tfc = {t: bnorm * n for t, n in Counter(flat[start:end]).items()}
            del tfc[""]
            for t in flat[start : start + tlen]:
                tfc[t] += tnorm
            for t in flat[meta:end]:
                if t:
                    tfc[t] += META_BOOST - bnorm
            p_tid.extend(map(tid.__getitem__, tfc))
            p_wt.extend(map(quantize.__getitem__, tfc.values()))
            p_doc.extend([ordinal] * len(tfc))
        order = sorted(range(len(p_tid)), key=p_tid.__getitem__)
        df = Counter(p_tid)
        flat_ids = list(map(tid.__getitem__, flat))
        tf = Counter(flat_ids)
        positions = array(U32, sorted(range(len(flat)), key=flat_ids.__getitem__))
        del positions[len(positions) - tf[gap] :]
        text = Lexicon(
            b"".join(map(_utf8, vocab)),
            _offsets(len(_utf8(t)) for t in vocab),
            array(U32, itemgetter(*order)(p_doc) if len(order) > 1 else p_doc),
            _offsets(df[i] for i in range(gap)),
            bytes(itemgetter(*order)(p_wt) if len(order) > 1 else p_wt),
            positions,
            _offsets(tf[i] for i in range(gap)),
        )
        lex = {
            "text": text,
            "title": Lexicon.build(_postings(
                (o, set(flat[s : s + t])) for o, (s, t, _, _) in enumerate(spans))),
            "id": Lexicon.build(_postings(
                (o, [_text(item, "id").casefold()]) for o, item in enumerate(items))),
        }
        for name, (kind, key) in _item_fields().items():
            keyer: Callable[[str], Iterable[str]] = path_keys if kind == "path" else name_keys
            lex[name] = Lexicon.build(_postings(
                (o, {k for v in _values(item, key) for k in keyer(v)})
                for o, item in enumerate(items)
            ))
        dated = sorted((_day(item), o) for o, item in enumerate(items) if _day(item))
        ids, ids_off = _join(_text(item, "id") for item in items)
        titles, titles_off = _join(_text(item, "title") for item in items)
        return Segment(
            self.start,
            len(items),
            (len(items), sum_title, sum_body),
            ids=ids,
            ids_off=ids_off,
            titles=titles,
            titles_off=titles_off,
            positions=array("q", (_position(item) for item in items)),
            bases=bases,
            tlen=tlens,
            dates=b"".join(d for d, _ in dated),
            date_ords=array(U32, (o for _, o in dated)),
            fwd=array(U32, flat_ids),
            lex=lex,
        )


_META_KEYS = ("source", "topics", "people", "places", "orgs")


class _Quantized(dict[float, int]):
    """BM25's saturation (k1+1)·tf/(tf+k1) scaled to one byte 1..255 (order is all that
    matters), memoized: item lengths repeat, so few distinct frequencies occur."""

    def __missing__(self, tfc: float) -> int:
        value = self[tfc] = int(255 * tfc / (tfc + K1) + 0.5) or 1
        return value


def _utf8(term: str) -> bytes:
    return term.encode("utf-8", "surrogatepass")


def _offsets(sizes: Iterable[int]) -> array:
    """``[0, s0, s0+s1, ...]``: where each key's run starts in a flat array."""
    out = array(U32, [0])
    out.extend(accumulate(sizes))
    return out


def _text(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    return value if isinstance(value, str) else ""


@lru_cache(maxsize=65536)
def _value_terms(value: str) -> list[str]:
    """Folded words of a metadata value: sources, topics and names repeat a lot."""
    return terms(value)


def _postings(pairs: Iterable[tuple[int, Iterable[str]]]) -> dict[str, array]:
    """Key -> ordinals, from (ordinal, keys of that item) in ordinal order."""
    out: dict[str, array] = {}
    for ordinal, keys in pairs:
        for key in keys:
            found = out.get(key)
            if found is None:
                found = out[key] = array(U32)
            found.append(ordinal)
    out.pop("", None)
    return out


def _join(values: Iterable[str]) -> tuple[bytes, array]:
    """Strings as one "\\0"-joined UTF-8 blob, and where each one starts (plus the end)."""
    encoded = [_utf8(v.replace("\x00", "")) for v in values]
    return b"\x00".join(encoded), _offsets(len(e) + 1 for e in encoded)


def _blob_at(blob: bytes, offsets: Sequence[int], i: int) -> str:
    return str(blob[offsets[i] : offsets[i + 1] - 1], "utf-8", "surrogatepass")


def _position(item: Mapping[str, Any]) -> int:
    value = item.get("position")
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _day(item: Mapping[str, Any]) -> bytes:
    """The item's date as ``YYYY-MM-DD`` bytes, or empty when it has none."""
    value = item.get("date")
    if not isinstance(value, str):
        return b""
    raw = value[:_DATE_WIDTH].encode("ascii", "replace")
    return raw if _DAY.fullmatch(raw) else b""


# -- the index -----------------------------------------------------------------------


class SearchIndex:
    """Search over a collection of items; see the module docstring for the layout."""

    def __init__(self, segments: list[Segment] | None = None, mapped: Any = None) -> None:
        self.segments: list[Segment] = segments or []
        self._mapped = mapped  # keeps the cache file's mmap alive
        # Evaluate and rank with numpy (store/vecsearch.py): True, False, or None for
        # "when the index holds VECTORIZE_FROM items or more". Same answers either way;
        # numpy wins from a few thousand hits, but importing it costs ~0.1 s, which a
        # one-shot CLI search never wins back (the CLI sets False).
        self.vectorize: bool | None = None
        self._reset()

    def _reset(self) -> None:
        self._ids: list[str] | None = None
        self._ord: dict[str, int] | None = None
        self._all: frozenset[int] | None = None
        self._positions: list[int] | None = None
        self._user_key: tuple[object, int] | None = None
        self._last_within: tuple[frozenset[str], frozenset[int]] | None = None
        self._user_sets: dict[object, frozenset[int]] = {}
        self._vec: Any = None  # the numpy side's arrays (store.vecsearch._Arrays)

    # -- building --

    @classmethod
    def build(cls, items: Iterable[Mapping[str, Any]]) -> SearchIndex:
        """Index ``items`` (each item once: a repeated id is indexed the first time)."""
        index = cls()
        index.add(items)
        return index

    def add(self, items: Iterable[Mapping[str, Any]]) -> int:
        """Index more items (an incremental import) as a new segment; returns how many.

        Items already in the index (same id) are skipped. Each call adds a segment
        that every query visits: after many imports (``len(index.segments)`` > ~8)
        a rebuild from the store is worth it.
        """
        known = self._ord_map()
        fresh: dict[str, Mapping[str, Any]] = {}
        for item in items:
            key = str(item.get("id", ""))
            if key not in known and key not in fresh:
                fresh[key] = item
        if not fresh:
            return 0
        batch = sorted(fresh.values(), key=_position)
        stats = [seg.stats for seg in self.segments]
        prior = (sum(s[0] for s in stats), sum(s[1] for s in stats), sum(s[2] for s in stats))
        self.segments.append(_SegmentBuilder(batch, len(self), prior).build())
        self._reset()
        return len(batch)

    # -- the cache file --

    def save(self, path: str | os.PathLike[str], signature: str) -> None:
        """Write the index to ``path`` atomically, stamped with the store's ``signature``."""
        sections: list[tuple[str, int, int, int]] = []
        chunks: list[bytes] = []
        offset = 0

        def put(value: Any) -> int:
            nonlocal offset
            if value is None:
                return -1
            if isinstance(value, bytes | bytearray):
                kind, raw = "bytes", bytes(value)
            elif isinstance(value, memoryview):  # a loaded index saved again
                kind, raw = value.format, value.tobytes()
            else:
                kind, raw = value.typecode, value.tobytes()
            chunk = raw + b"\0" * (-len(raw) % 8)  # sections start 8-aligned
            sections.append((kind, offset, len(raw), zlib.crc32(chunk)))
            chunks.append(chunk)
            offset += len(chunk)
            return len(sections) - 1

        segments = []
        for seg in self.segments:
            parts = {name: put(_part(seg, name)) for name in Segment.ARRAYS}
            for name in ("ids", "titles"):  # loaded as views, not copied: decoded on use
                i = parts[name]
                sections[i] = ("text",) + sections[i][1:]
            lexes = {name: [put(a) for a in lex.arrays()]
                     for name, lex in seg.lex.items()}
            segments.append({"start": seg.start, "n": seg.n, "stats": seg.stats,
                             "parts": parts, "lex": lexes})
        header = marshal.dumps({"format": _FORMAT, "signature": signature,
                                "segments": segments, "sections": sections})
        head = _MAGIC + len(header).to_bytes(4, "little")
        head += zlib.crc32(header).to_bytes(4, "little") + header
        head += b"\0" * (-len(head) % 8)
        import tempfile  # here, not at the top: loading and searching never need it

        path = os.fspath(path)
        fd, tmp = tempfile.mkstemp(prefix=".index-", dir=os.path.dirname(path) or ".")
        from store.disk.perms import set_file_mode  # 0660 in a group-shared store

        set_file_mode(fd, os.path.dirname(path) or ".")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(len(head).to_bytes(8, "little"))
                out.write(head)
                for chunk in chunks:
                    out.write(chunk)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    @classmethod
    def load(
        cls, path: str | os.PathLike[str], signature: str, *,
        verify: bool | Literal["lazy"] = True,
    ) -> SearchIndex | None:
        """The index saved at ``path`` for ``signature``; None when the file is missing,
        stale (another signature) or damaged. Never raises for a bad file.

        ``verify`` checks every section's CRC (reads the whole file); without it only
        the header is checked and the postings are read when a query needs them.
        ``"lazy"`` checks the small sections now and each big one (``LAZY_CHECK_FROM``)
        when it is first read: a query that reads a damaged section raises ValueError,
        so a caller must treat any exception from the index as "rebuild" (the one-shot
        CLI does; ~10 ms instead of ~40 ms at 100k items for a one-word query).
        """
        try:
            return _load(os.fspath(path), signature, verify)
        except Exception:  # a cache is disposable: any failure means "rebuild"
            return None

    # -- facts --

    def __len__(self) -> int:
        return sum(s.n for s in self.segments)

    def __contains__(self, item_id: object) -> bool:
        return isinstance(item_id, str) and self._find(item_id) is not None

    def ids(self) -> list[str]:
        """All ids in original order."""
        return self._order_ids(self._everything(), "original", {})

    def days(self) -> list[str]:
        """Each item's day (``YYYY-MM-DD``, "" when it has no date), in the order of
        ``ids()``: with the titles, enough to list a store before its items are read."""
        by_ordinal = [""] * len(self)
        for seg in self.segments:
            dates = seg.dates
            for i, local in enumerate(seg.date_ords):
                raw = dates[i * _DATE_WIDTH : (i + 1) * _DATE_WIDTH]
                by_ordinal[seg.start + local] = raw.decode("ascii")
        if self._monotonic():
            return by_ordinal
        if self._positions is None:
            self._positions = list(chain.from_iterable(s.positions for s in self.segments))
        order = sorted(range(len(self)), key=self._positions.__getitem__)
        return [by_ordinal[o] for o in order]

    def title(self, item_id: str) -> str | None:
        """The stored title of ``item_id`` (None when it is not indexed)."""
        found = self._find(item_id)
        return None if found is None else found[0].title_at(found[1])

    def _find(self, item_id: str) -> tuple[Segment, int] | None:
        """The segment and local ordinal of ``item_id``: from the id map when it is
        built, else by binary search (no 100k-entry dict for a one-shot lookup)."""
        if self._ord is not None:
            ordinal = self._ord.get(item_id)
            if ordinal is None:
                return None
            for seg in self.segments:
                if ordinal < seg.start + seg.n:
                    return seg, ordinal - seg.start
        for seg in self.segments:
            local = seg.find(item_id)
            if local >= 0:
                return seg, local
        return None

    def drop_caches(self) -> None:
        """Forget decoded postings (benchmarks measure queries on terms not seen before).

        The id list and id map, built on first need, stay: they live as long as the index.
        """
        for seg in self.segments:
            seg._cache.clear()

    def _id_list(self) -> list[str]:
        if self._ids is None:
            self._ids = list(chain.from_iterable(s.ids() for s in self.segments))
        return self._ids

    def _ord_map(self) -> dict[str, int]:
        if self._ord is None:
            ids = self._id_list()
            self._ord = dict(zip(ids, range(len(ids)), strict=True))
        return self._ord

    def _everything(self) -> frozenset[int]:
        if self._all is None:
            self._all = frozenset(range(len(self)))
        return self._all

    def _monotonic(self) -> bool:
        """Whether ordinal order is position order (segments were added in order)."""
        last = None
        for seg in self.segments:
            if seg.n:
                if last is not None and seg.positions[0] < last:
                    return False
                last = seg.positions[seg.n - 1]
        return True

    # -- searching --

    def search(
        self,
        query: str | Node,
        user: UserState | None = None,
        *,
        within: Collection[str] | None = None,
        order: str = "relevance",
        limit: int | None = None,
    ) -> list[str]:
        """The ids of the items matching ``query`` (text or a parsed tree).

        ``within`` restricts to those ids (None is "everything" and costs nothing; a
        frozenset's id -> ordinal conversion is remembered while the same object comes
        back, as it does while a query is typed in one tree node). ``limit`` returns
        only the first hits, which is cheaper than slicing for big answers.
        ``order`` is "relevance" (BM25, title hits weigh more, ties by position) or
        "original". Raises QuerySyntaxError for a malformed query text.
        """
        if order not in ORDERS:
            raise ValueError(f"order must be one of {ORDERS}, not {order!r}")
        node = parse(query) if isinstance(query, str) else query
        vec = self._vectorized()
        if vec is not None:
            return vec.search(self, node, user or MemoryUserState(), within, order, limit)
        found = self._matches(node, user, within)
        scores = self._scores(node, found) if order == "relevance" else {}
        return self._order_ids(found, "relevance" if scores else "original", scores, limit)

    def matches(self, query: str | Node, user: UserState | None = None) -> frozenset[int]:
        """The ordinals of the items matching ``query``: positions in ``ordinal_ids()``
        (for counting over results without turning them into ids)."""
        node = parse(query) if isinstance(query, str) else query
        vec = self._vectorized(load=False)
        if vec is not None:
            return frozenset(vec.matches(self, node, user or MemoryUserState(), None).tolist())
        return frozenset(self._matches(node, user, None))

    def ordinal_ids(self) -> list[str]:
        """Every id at its ordinal (the original order when items were added in it)."""
        return self._id_list()

    def count(
        self,
        query: str | Node,
        user: UserState | None = None,
        *,
        within: Collection[str] | None = None,
    ) -> int:
        """How many items match (cheaper than ``len(search(...))``: no ordering)."""
        node = parse(query) if isinstance(query, str) else query
        if isinstance(node, Term) and within is None:
            df = self._term_df(node)
            if df is not None:
                return df
        vec = self._vectorized(load=False)
        if vec is not None:
            return len(vec.matches(self, node, user or MemoryUserState(), within))
        return len(self._matches(node, user, within))

    def warm(self) -> None:
        """Do now what the first search would do once: import numpy (~0.1 s) and lay out
        the ids, when this index searches with numpy. For a worker thread."""
        vec = self._vectorized()
        if vec is not None:
            vec.warm(self)

    def _term_df(self, node: Term) -> int | None:
        """How many items hold the word: its document frequency, read from the offsets
        alone (no postings), when it stands for one indexed term; else None."""
        total = 0
        for seg in self.segments:
            lex = seg.lex["title" if node.field == "title" else "text"]
            keys = [k for k in map(lex.find, self._expand(node.text, node.prefix)) if k >= 0]
            if len(keys) > 1:
                return None  # a prefix with several terms: their postings overlap
            total += lex.df(keys[0]) if keys else 0
        return total

    def _vectorized(self, load: bool = True) -> Any:
        """``store.vecsearch`` when this index evaluates queries with numpy, else None.

        Without ``load`` only if numpy is in already (``count`` and ``matches``: sets
        are cheap enough there, a fresh process should not import numpy to count)."""
        want = self.vectorize
        if want is None:
            want = len(self) >= VECTORIZE_FROM
        if not want or not load and "store.vecsearch" not in sys.modules:
            return None
        try:
            from store import vecsearch
        except ImportError:  # numpy missing: the pure-Python path gives the same answers
            return None
        return vecsearch

    def _matches(
        self, node: Node, user: UserState | None, within: Collection[str] | None
    ) -> frozenset[int] | set[int]:
        found = _Evaluator(self, user or MemoryUserState()).eval(node)
        if within is not None:
            found = found & self._within(within)
        return found

    def _within(self, within: Collection[str]) -> frozenset[int]:
        """The ordinals of ``within``; the last frozenset passed is remembered (the
        selected tree node stays the same while a query is typed)."""
        if self._last_within is not None and self._last_within[0] is within:
            return self._last_within[1]
        ords = self._ord_map()
        found = frozenset(o for o in map(ords.get, within) if o is not None)
        if isinstance(within, frozenset):
            self._last_within = (within, found)
        return found

    def _order_ids(
        self,
        found: Collection[int],
        order: str,
        scores: Mapping[int, float],
        limit: int | None = None,
    ) -> list[str]:
        if found is self._all and self._monotonic():
            ranked: Sequence[int] = range(len(self))
        elif self._monotonic():
            ranked = sorted(found)
        else:
            if self._positions is None:
                self._positions = list(chain.from_iterable(s.positions for s in self.segments))
            ranked = sorted(found, key=self._positions.__getitem__)
        if limit is not None and limit < len(ranked):
            if order == "relevance":  # nlargest is stable too: the first screen, cheaply
                ranked = heapq.nlargest(max(limit, 0), ranked, key=scores.__getitem__)
            else:
                ranked = ranked[: max(limit, 0)]  # a range stays a range
        elif order == "relevance":
            # sorted() is stable, also with reverse=True: equal scores keep position order
            ranked = sorted(ranked, key=scores.__getitem__, reverse=True)
        if isinstance(ranked, range):  # everything, in order
            return self._id_list()[ranked.start : ranked.stop]
        if self._ids is None and len(ranked) <= 256:  # a few: decode them alone
            return [self._id_at(o) for o in ranked]
        if len(ranked) < 2:
            return [self._id_list()[o] for o in ranked]
        return list(itemgetter(*ranked)(self._id_list()))

    def _id_at(self, ordinal: int) -> str:
        for seg in self.segments:
            if ordinal < seg.start + seg.n:
                return seg.id_at(ordinal - seg.start)
        raise IndexError(ordinal)

    def _from_user(
        self, user: UserState, what: object, make: Callable[[], Iterable[int]]
    ) -> frozenset[int]:
        """``make()`` as a set, remembered until the user state's revision changes."""
        key = (user, user.revision())  # holds the user: its id() cannot be reused
        if self._user_key is None or key[0] is not self._user_key[0] or key[1] != self._user_key[1]:
            self._user_key, self._user_sets = key, {}
        found = self._user_sets.get(what)
        if found is None:
            found = self._user_sets[what] = frozenset(make())
        return found

    def _scores(self, node: Node, found: Collection[int]) -> dict[int, float]:
        """BM25 over the positive text terms of ``node``, for the found items."""
        if not found:
            return {}
        postings = self._scored_postings(node)
        if not postings:
            return {}
        if len(postings) == 1 and not postings[0][1].start:
            # one term: its weights order the items, idf is a common factor (C speed)
            _, seg, k = postings[0]
            lex = seg.lex["text"]
            weights = dict(zip(lex.postings(k), bytes(lex.weights(k)), strict=True))
            if found <= seg.docs("text", k):
                return weights  # found lies inside the posting: no zero scores needed
            scores = dict.fromkeys(found, 0)
            scores.update(weights)
            return scores
        scores = dict.fromkeys(found, 0.0)
        for idf, seg, k in postings:
            lex = seg.lex["text"]
            docs, wts = lex.postings(k), bytes(lex.weights(k))
            if seg.start:
                docs = [d + seg.start for d in docs]
            if len(docs) > 2 * len(found):
                weight = dict(zip(docs, wts, strict=True))
                for d in found:
                    w = weight.get(d)
                    if w:
                        scores[d] += idf * w
            else:
                for d, w in zip(docs, wts, strict=True):
                    if d in scores:
                        scores[d] += idf * w
        return scores

    def _scored_postings(self, node: Node) -> list[tuple[float, Segment, int]]:
        """(idf, segment, text key index) of each posting BM25 sums for ``node``, in the
        order the sums are made (both evaluators add in this order: equal floats)."""
        wanted: set[str] = set()
        for leaf in positive_text(node):
            if isinstance(leaf, Term):
                wanted.update(self._expand(leaf.text, leaf.prefix, limit=MAX_SCORED_EXPANSIONS))
            elif isinstance(leaf, Phrase):
                # a phrase scores as its rarest word: the others add cost, not order
                whole = leaf.terms[:-1] if leaf.prefix else leaf.terms
                if whole:
                    wanted.add(min(whole, key=self._df))
        postings = []  # (idf, segment, key index)
        total = len(self)
        for term in sorted(wanted):
            hits = [(seg, seg.lex["text"].find(term)) for seg in self.segments]
            hits = [(seg, k) for seg, k in hits if k >= 0]
            df = sum(seg.lex["text"].df(k) for seg, k in hits)
            idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
            postings.extend((idf, seg, k) for seg, k in hits)
        return postings

    def _df(self, term: str) -> int:
        """How many items contain the text term."""
        total = 0
        for seg in self.segments:
            k = seg.lex["text"].find(term)
            total += seg.lex["text"].df(k) if k >= 0 else 0
        return total

    def _expand(self, text: str, prefix: bool, limit: int | None = None) -> list[str]:
        """The text terms a word stands for: itself, or for a prefix every indexed term
        that starts with it (and the word's folded form, so ``drones*`` finds ``drone``)."""
        if not prefix:
            return [text]
        found = {fold(text)}
        for seg in self.segments:
            lex = seg.lex["text"]
            span = lex.prefixed(text)
            found.update(lex.key(k).decode("utf-8", "surrogatepass") for k in span)
        out = sorted(found)
        return out if limit is None or len(out) <= limit else []


# -- the cache file ------------------------------------------------------------------


def _part(seg: Segment, name: str) -> Any:
    """The array or bytes saved as section ``name`` of a segment."""
    return getattr(seg, {"ids": "ids_blob", "titles": "titles_blob"}.get(name, name))


def _load(path: str, signature: str, verify: bool) -> SearchIndex | None:
    # O_NOFOLLOW: a link planted in place of the cache is not read (it is rebuilt).
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    with open(path, "rb", opener=lambda name, flags: os.open(name, flags | nofollow)) as f:
        size = os.fstat(f.fileno()).st_size
        head_len = int.from_bytes(f.read(8), "little")
        if head_len > size or head_len < 16:
            return None
        head = f.read(head_len)
        if head[:8] != _MAGIC:
            return None
        header_len = int.from_bytes(head[8:12], "little")
        header = head[16 : 16 + header_len]
        if len(header) != header_len or zlib.crc32(header) != int.from_bytes(head[12:16], "little"):
            return None
        if head[16 + header_len :].strip(b"\0"):  # the padding after the header
            return None
        meta = marshal.loads(header)
        if meta.get("format") != _FORMAT or meta.get("signature") != signature:
            return None
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        view = memoryview(mapped)
        body = 8 + head_len
        sections: list[Any] = []
        deferred: dict[int, tuple[Any, int]] = {}  # section -> (padded bytes, crc): "lazy"
        chunk = bytearray(1 << 20)
        for i, (kind, offset, length, crc) in enumerate(meta["sections"]):
            start = body + offset
            if start + length > size or offset % 8:
                return None
            raw = view[start : start + length]
            padded = view[start : start + length + (-length % 8)]
            if len(padded) != length + (-length % 8):
                return None
            if verify == "lazy" and length >= LAZY_CHECK_FROM:
                deferred[i] = (padded, crc)
            elif verify and _file_crc(f, start, len(padded), chunk) != crc:
                return None
            sections.append(raw if kind in ("text", "B", "bytes") else raw.cast(kind))

    def get(i: int) -> Any:
        if i < 0:
            return None
        kind = meta["sections"][i][0]
        return bytes(sections[i]) if kind == "bytes" and i not in deferred else sections[i]

    segments = []
    for part in meta["segments"]:
        parts = {name: get(i) for name, i in part["parts"].items()}
        lex = {name: Lexicon(*map(get, ids)) for name, ids in part["lex"].items()}
        seg = Segment(part["start"], part["n"], tuple(part["stats"]), lex=lex, **parts)
        _check(seg)  # lengths only: a deferred section is not read
        for name, i in part["parts"].items():
            if i in deferred:
                seg.defer({"ids": "ids_blob", "titles": "titles_blob"}.get(name, name),
                          *deferred[i], meta["sections"][i][0] == "bytes")
        for name, ids in part["lex"].items():
            for attr, i in zip(Lexicon.ARRAYS, ids, strict=True):
                if i in deferred:
                    lex[name].defer(attr, *deferred[i], meta["sections"][i][0] == "bytes")
        segments.append(seg)
    return SearchIndex(segments, mapped)


def _file_crc(f: Any, start: int, length: int, chunk: bytearray) -> int:
    """CRC-32 of ``length`` bytes of ``f`` from ``start``, read through ``chunk``.

    Read, not taken from the map: checking through the map would make every page of
    the file resident in this process (90 MB at 100k items) though a session's
    queries touch a fraction of them.
    """
    f.seek(start)
    crc, left, buf = 0, length, memoryview(chunk)
    while left > 0:
        got = f.readinto(buf[: min(left, len(buf))])
        if not got:
            return -1  # shorter than the header says: not a match for any crc
        crc = zlib.crc32(buf[:got], crc)
        left -= got
    return crc


def _check(seg: Segment) -> None:
    """Cheap consistency checks (lengths agree); raise ValueError if they do not."""
    n = seg.n
    ok = len(seg.positions) == n and len(seg.bases) == n + 1 and len(seg.tlen) == n
    ok = ok and len(seg.date_ords) * _DATE_WIDTH == len(seg.dates)
    ok = ok and len(seg.fwd) == seg.bases[n]
    for blob, offsets in ((seg.ids_blob, seg.ids_off), (seg.titles_blob, seg.titles_off)):
        ok = ok and len(offsets) == n + 1 and offsets[n] == (len(blob) + 1 if n else 0)
    for lex in seg.lex.values():
        ok = ok and lex.koff[-1] == len(lex.keys) and lex.doff[-1] == len(lex.docs)
        ok = ok and len(lex.doff) == len(lex.koff)
        if lex.wts is not None:
            ok = ok and len(lex.wts) == len(lex.docs)
        if lex.pos is not None and lex.poff is not None:
            ok = ok and lex.poff[-1] == len(lex.pos) and len(lex.poff) == len(lex.koff)
    if not ok:
        raise ValueError("inconsistent index cache")


class _Evaluator:
    """Evaluates a syntax tree to a set of global ordinals."""

    def __init__(self, index: SearchIndex, user: UserState) -> None:
        self.index, self.user = index, user

    def eval(self, node: Node) -> frozenset[int] | set[int]:
        if isinstance(node, MatchAll):
            return self.index._everything()
        if isinstance(node, And):
            return self._and(node)
        if isinstance(node, Or):
            out: set[int] = set()
            for child in node.children:
                out |= self.eval(child)
            return out
        if isinstance(node, Not):
            return self.index._everything() - self.eval(node.child)
        if isinstance(node, Flag):
            return self._flag(node.name)
        if isinstance(node, FieldMatch) and FIELDS[node.field].user:
            return self._tags(node)
        return self._per_segment(node)

    def _and(self, node: And) -> frozenset[int] | set[int]:
        wanted = [c for c in node.children if not isinstance(c, Not)]
        unwanted = [c.child for c in node.children if isinstance(c, Not)]
        sets = sorted((self.eval(c) for c in wanted), key=len)
        out: frozenset[int] | set[int] = sets[0] if sets else self.index._everything()
        for other in sets[1:]:
            if not out:
                break
            out = out & other
        for child in unwanted:
            if not out:
                break
            out = out - self.eval(child)
        return out

    def _per_segment(self, node: Node) -> frozenset[int] | set[int]:
        parts = []
        for seg in self.index.segments:
            local = self._leaf(seg, node)
            parts.append({o + seg.start for o in local} if seg.start and local else local)
        if len(parts) == 1:
            return parts[0]
        return set().union(*parts)

    def _leaf(self, seg: Segment, node: Node) -> frozenset[int] | set[int]:
        if isinstance(node, Term):
            lex = "title" if node.field == "title" else "text"
            return self._union(seg, lex, self.index._expand(node.text, node.prefix))
        if isinstance(node, Phrase):
            return self._phrase(seg, node)
        if isinstance(node, DateMatch):
            return seg.date_range(node.op, node.value)
        if isinstance(node, FieldMatch):
            lex = seg.lex.get(node.field)
            if lex is None:
                return set()
            if node.prefix:
                return self._union(seg, node.field, keys=lex.prefixed(node.value))
            return self._union(seg, node.field, [node.value])
        raise TypeError(f"not a query node: {node!r}")  # pragma: no cover

    def _union(
        self, seg: Segment, lex: str, words: Iterable[str] = (), keys: Iterable[int] = ()
    ) -> frozenset[int] | set[int]:
        lexicon = seg.lex[lex]
        found = [k for k in chain((lexicon.find(w) for w in words), keys) if k >= 0]
        if len(found) == 1:
            return seg.docs(lex, found[0])
        out: set[int] = set()
        for k in found:
            out.update(lexicon.postings(k))
        return out

    def _phrase(self, seg: Segment, node: Phrase) -> set[int]:
        """Items where the words stand in a row (in the title, for ``title:``)."""
        lex = seg.lex["text"]
        slots: list[list[int]] = []
        for i, word in enumerate(node.terms):
            last = i == len(node.terms) - 1
            ks = [lex.find(w) for w in self.index._expand(word, node.prefix and last)]
            ks = [k for k in ks if k >= 0]
            if not ks:
                return set()
            slots.append(ks)
        # where the phrase could start: the rarest word's positions, shifted back; then
        # the forward index (term at each position) confirms the other words
        sizes = [sum(lex.poff[k + 1] - lex.poff[k] for k in ks) for ks in slots]
        rare, *others = sorted(range(len(slots)), key=sizes.__getitem__)
        # (C-level pipelines of map/filter/compress: ~3x faster than comprehensions)
        width, fwd = len(slots), seg.fwd
        rare_positions = chain.from_iterable(lex.positions(k) for k in slots[rare])
        in_range = range(len(fwd) - width + 1).__contains__
        starts = list(filter(in_range, map((-rare).__add__, rare_positions)))
        for i in others:  # rarer words first: they discard the most starts
            if not starts:
                break
            ks = slots[i]
            found = map(fwd.__getitem__, map(i.__add__, starts))
            keep = map(ks[0].__eq__, found) if len(ks) == 1 else map(set(ks).__contains__, found)
            starts = list(compress(starts, keep))
        # the item of each start: bisect_right finds the one after it
        bases = seg.bases_list()
        after = map(bisect.bisect_right, repeat(bases), starts)
        if node.field != "title":
            return set(map((-1).__add__, set(after)))
        tlen = seg.tlen
        return {d for s, d in zip(starts, map((-1).__add__, after), strict=True)
                if s + width <= bases[d] + tlen[d]}

    def _flag(self, name: str) -> frozenset[int]:
        def make() -> Iterable[int]:
            user = self.user
            ids = user.tagged_ids() if name in ("tagged", "untagged") else user.read_ids()
            have = {o for o in map(self.index._ord_map().get, ids) if o is not None}
            if name in ("untagged", "unread"):
                return self.index._everything() - have
            return have

        return self.index._from_user(self.user, name, make)

    def _tags(self, node: FieldMatch) -> frozenset[int]:
        def make() -> Iterator[int]:
            ords = self.index._ord_map()
            for item_id in self.user.tagged_ids():
                ordinal = ords.get(item_id)
                if ordinal is not None and any(
                    _path_matches(tag, node.value, node.prefix)
                    for tag in self.user.tags_of(item_id)
                ):
                    yield ordinal

        return self.index._from_user(self.user, node, make)


def _path_matches(path: str, value: str, prefix: bool) -> bool:
    """Whether the hierarchical name ``path`` is found by the folded ``value``."""
    keys = path_keys(path)
    return value in keys or prefix and any(k.startswith(value) for k in keys)


# -- highlighting --------------------------------------------------------------------


def highlight_spans(text: str, query: str | Node) -> list[tuple[int, int]]:
    """Character spans of ``text`` matching the query's positive words, prefixes and
    phrases (and name fields such as ``person:``), merged and sorted. A query that does
    not parse highlights nothing."""
    try:
        node = parse(query) if isinstance(query, str) else query
    except ValueError:
        return []
    words: set[str] = set()
    prefixes: list[str] = []
    phrases: list[tuple[tuple[str, ...], bool]] = []
    for leaf in positive_text(node):
        if isinstance(leaf, Term):
            if leaf.prefix:
                prefixes.append(leaf.text)
                words.add(fold(leaf.text))
            else:
                words.add(leaf.text)
        elif isinstance(leaf, Phrase):
            phrases.append((leaf.terms, leaf.prefix))
        else:  # a field whose value the text may mention (person:, place:, org:)
            parts = tuple(leaf.value.split(" "))
            if len(parts) == 1 and not leaf.prefix:
                words.add(parts[0])
            else:
                phrases.append((parts, leaf.prefix))
    if not (words or prefixes or phrases):
        return []
    toks = list(tokens(text))
    spans = [
        (t.start, t.end)
        for t in toks
        if t.term in words or any(t.term.startswith(p) for p in prefixes)
    ]
    for seq, prefix in phrases:
        width = len(seq)
        for i in range(len(toks) - width + 1):
            if all(toks[i + j].term == seq[j] for j in range(width - 1)) and (
                toks[i + width - 1].term == seq[-1]
                or prefix and toks[i + width - 1].term.startswith(seq[-1])
            ):
                spans.append((toks[i].start, toks[i + width - 1].end))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
