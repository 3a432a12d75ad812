"""The index's parts: lexicons and segments (flat arrays over one position space),
how a segment is built from items, and ``IndexView``, the small interface through which
the evaluators and the numpy ranking read an index (never its privates)."""

from __future__ import annotations

import bisect
import zlib
from array import array
from collections import Counter, OrderedDict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from functools import lru_cache
from itertools import accumulate
from operator import itemgetter
from typing import Any, Protocol

from store.search.query import Node
from store.search.reader import (
    DATE_WIDTH,
    item_day,
    item_fields,
    item_position,
    item_text,
    item_values,
)
from store.text.clean import fold_path, terms

ORDERS = ("relevance", "original")
U32 = next(code for code in "IL" if array(code).itemsize == 4)
K1, B = 1.2, 0.75  # BM25
TITLE_BOOST, BODY_BOOST = 2.0, 1.0
MAX_SCORED_EXPANSIONS = 64  # a prefix matching more terms than this filters but does not score
MAGIC = b"NDSKIDX\x01"


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


class IndexView(Protocol):
    """What the evaluators and the numpy ranking read of an index: its segments and a few
    derived facts. ``SearchIndex`` is the one implementation; ``arrays`` is the slot where
    the numpy side keeps its arrays (dropped whenever the segments change)."""

    segments: list[Segment]
    arrays: Any

    def __len__(self) -> int: ...

    @property
    def ids_decoded(self) -> bool: ...

    def ordinal_ids(self) -> list[str]: ...

    def ordinal_map(self) -> dict[str, int]: ...

    def id_at(self, ordinal: int) -> str: ...

    def everything(self) -> frozenset[int]: ...

    def monotonic(self) -> bool: ...

    def expand(self, text: str, prefix: bool, limit: int | None = None) -> list[str]: ...

    def within_ordinals(self, within: Collection[str]) -> frozenset[int]: ...

    def scored_postings(self, node: Node) -> list[tuple[float, Segment, int]]: ...

    def user_set(self, user: UserState, what: object,
                 make: Callable[[], Iterable[int]]) -> frozenset[int]: ...


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


# -- lexicons ------------------------------------------------------------------------


class _Deferred:
    """Attributes holding a cache section whose checksum is checked on first use (see
    ``SearchIndex.load(verify="lazy")``): a damaged section raises ValueError then.

    A section saved with a checksum per block (``blocks``) can also be read in part:
    ``span`` checks only the blocks under the slice it returns, so a one-word search
    checks the few blocks of its posting, not the whole postings array (35 MB at
    300,000 items). Reading the attribute itself checks every block."""

    _pending: dict[str, tuple[Any, Any, int, bool, BlockChecks | None]]

    def defer(self, name: str, padded: Any, crc: int, copy: bool,
              blocks: BlockChecks | None = None) -> None:
        """Check ``crc`` over ``padded`` when ``name`` is first read (``copy``: as bytes)."""
        if "_pending" not in self.__dict__:
            self._pending = {}
        self._pending[name] = (getattr(self, name), padded, crc, copy, blocks)
        delattr(self, name)

    def __getattr__(self, name: str) -> Any:
        pending = self.__dict__.get("_pending")
        if not pending or name not in pending:
            raise AttributeError(name)
        value, padded, crc, copy, blocks = pending[name]
        if blocks is not None:
            blocks.check(padded, 0, len(padded), name)
        elif zlib.crc32(padded) != crc:
            raise ValueError(f"the index cache is damaged ({name})")
        del pending[name]
        value = bytes(value) if copy else value
        setattr(self, name, value)
        return value

    def span(self, name: str, lo: int, hi: int) -> Any:
        """``getattr(self, name)[lo:hi]``, checking only the blocks it covers when the
        section is checked by blocks and not yet read whole."""
        pending = self.__dict__.get("_pending")
        entry = pending.get(name) if pending else None
        if entry is None or entry[4] is None or entry[3]:
            return getattr(self, name)[lo:hi]
        value, padded, _, _, blocks = entry
        size = value.itemsize
        blocks.check(padded, lo * size, hi * size, name)
        return value[lo:hi]


class BlockChecks:
    """The CRC-32 of each ``size``-byte block of a section, and which were checked."""

    __slots__ = ("crcs", "done", "size")

    def __init__(self, size: int, crcs: Sequence[int]) -> None:
        self.size, self.crcs, self.done = size, crcs, bytearray(len(crcs))

    def check(self, padded: Any, start: int, end: int, name: str) -> None:
        """Check the blocks under bytes ``start .. end``; ValueError if one is damaged."""
        size = self.size
        for b in range(start // size, min(-(-end // size), len(self.crcs))):
            if not self.done[b]:
                if zlib.crc32(padded[b * size : (b + 1) * size]) != self.crcs[b]:
                    raise ValueError(f"the index cache is damaged ({name})")
                self.done[b] = 1


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
        return self.span("docs", self.doff[k], self.doff[k + 1])

    def weights(self, k: int) -> Sequence[int]:
        """The BM25 weights of key ``k``'s postings (text lexicon only)."""
        return self.span("wts", self.doff[k], self.doff[k + 1])

    def positions(self, k: int) -> Sequence[int]:
        """The global token positions of key ``k`` (text lexicon only)."""
        assert self.poff is not None  # (the offsets: small, checked whole)
        return self.span("pos", self.poff[k], self.poff[k + 1])

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
            return self.dates[i * DATE_WIDTH : i * DATE_WIDTH + width]

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


class SegmentBuilder:
    """Turns items into the arrays of one segment.

    Every token of the segment goes into one flat list (``""`` between fields, so no
    phrase spans two); a token's index there is its global position. Only the item's
    own words go there, its title and text: free text and phrases find what the user
    reads, never the source file name, topics or entities (those are fields:
    ``source:``, ``topic:``, ``person:`` …, each with its own lexicon). Postings are
    then made by stable sorts on term ids instead of a Python loop per token.
    """

    def __init__(self, items: list[Mapping[str, Any]], start: int, prior: tuple[int, int, int]):
        self.items, self.start, self.prior = items, start, prior

    def build(self) -> Segment:
        items = self.items
        flat: list[str] = []
        bases, tlens = array(U32), array(U32)
        spans: list[tuple[int, int, int]] = []  # start, title len, body len
        sum_title = sum_body = 0
        for item in items:
            title = terms(item_text(item, "title"))
            body = terms(item_text(item, "body"))
            start = len(flat)
            if body[: len(title)] != title:  # the title is not the body's first sentence
                flat += title
                flat.append("")
            flat += body
            flat.append("")
            bases.append(start)
            tlens.append(len(title))
            spans.append((start, len(title), len(body)))
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
        for ordinal, (start, tlen, blen) in enumerate(spans):
            end = bases[ordinal + 1]
            bnorm = BODY_BOOST / (1 - B + B * blen / avg_body)
            tnorm = TITLE_BOOST / (1 - B + B * tlen / avg_title)
            # BM25F: field-normalized term frequencies summed with boosts
            tfc = {t: bnorm * n for t, n in Counter(flat[start:end]).items()}
            del tfc[""]
            for t in flat[start : start + tlen]:
                tfc[t] += tnorm
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
                (o, set(flat[s : s + t])) for o, (s, t, _) in enumerate(spans))),
            "id": Lexicon.build(_postings(
                (o, [item_text(item, "id").casefold()]) for o, item in enumerate(items))),
        }
        for name, (kind, key) in item_fields().items():
            keyer: Callable[[str], Iterable[str]] = path_keys if kind == "path" else name_keys
            lex[name] = Lexicon.build(_postings(
                (o, {k for v in item_values(item, key) for k in keyer(v)})
                for o, item in enumerate(items)
            ))
        dated = sorted((item_day(item), o) for o, item in enumerate(items) if item_day(item))
        ids, ids_off = _join(item_text(item, "id") for item in items)
        titles, titles_off = _join(item_text(item, "title") for item in items)
        return Segment(
            self.start,
            len(items),
            (len(items), sum_title, sum_body),
            ids=ids,
            ids_off=ids_off,
            titles=titles,
            titles_off=titles_off,
            positions=array("q", (item_position(item) for item in items)),
            bases=bases,
            tlen=tlens,
            dates=b"".join(d for d, _ in dated),
            date_ords=array(U32, (o for _, o in dated)),
            fwd=array(U32, flat_ids),
            lex=lex,
        )


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


