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
  ``store.search.rank`` (numpy masks and arrays over the same sections; big indexes,
  see ``SearchIndex.vectorize``).
"""

from __future__ import annotations

import bisect
import contextlib
import heapq
import marshal
import math
import os
import sys
import zlib
from array import array
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from itertools import chain
from operator import itemgetter
from typing import Any, Literal

from store.search.query import (
    Node,
    Phrase,
    Term,
    parse,
    positive_text,
)
from store.text.clean import fold

__all__ = ["MemoryUserState", "SearchIndex", "UserState"]

from store.disk.layout import INDEX_FORMAT
from store.search.codec import block_crcs, load_segments, section_part
from store.search.evaluate import Evaluator
from store.search.reader import (
    DATE_WIDTH,
    item_position,
)
from store.search.segments import (
    MAGIC,
    MAX_SCORED_EXPANSIONS,
    ORDERS,
    U32,
    Segment,
    SegmentBuilder,
    UserState,
)
from store.search.topk import top_of_one_word

BUILD_BATCH = 50_000
"""Items per segment of a built index: a batch's tokens are what building holds at once
(~4.5 KB an item), and each segment is one more that every query visits."""
VECTORIZE_FROM = 10_000  # items from which ``SearchIndex.vectorize`` None means "use numpy"


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


# -- the index -----------------------------------------------------------------------


class SearchIndex:
    """Search over a collection of items; see the module docstring for the layout."""

    def __init__(self, segments: list[Segment] | None = None, mapped: Any = None) -> None:
        self.segments: list[Segment] = segments or []
        self._mapped = [mapped]  # keeps the cache files' mmaps alive
        # Evaluate and rank with numpy (store/search/rank.py): True, False, or None for
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
        self.arrays: Any = None  # the numpy side's arrays (store.search.rank._Arrays)

    # -- building --

    @classmethod
    def build(cls, items: Iterable[Mapping[str, Any]]) -> SearchIndex:
        """Index ``items``, in position order (each item once: a repeated id is indexed
        the first time), a segment per BUILD_BATCH of them.

        Why batches: one segment of 300,000 items held every token of the store in
        Python lists at once (1.4 GB besides the items). A batch's are freed before the
        next is read, and ``items`` may be a generator that reads the store segment by
        segment (``Store.ensure_index``), so the items are never all in memory either.
        A store of up to BUILD_BATCH items gets the one segment it always had."""
        index = cls()
        seen: set[str] = set()
        batch: dict[str, Mapping[str, Any]] = {}
        for item in items:
            key = str(item.get("id", ""))
            if key in seen:
                continue
            seen.add(key)
            batch[key] = item
            if len(batch) >= BUILD_BATCH:
                index._append(list(batch.values()))
                batch = {}
        if batch:
            index._append(list(batch.values()))
        return index

    def add(self, items: Iterable[Mapping[str, Any]]) -> int:
        """Index more items (an incremental import) as a new segment; returns how many.

        Items already in the index (same id) are skipped. Each call adds a segment
        that every query visits: after many imports (``len(index.segments)`` > ~8)
        a rebuild from the store is worth it.
        """
        # (a few items into a big index: each looked up, not every id decoded into a map)
        known: Any = self._ord if self._ord is not None else self
        fresh: dict[str, Mapping[str, Any]] = {}
        for item in items:
            key = str(item.get("id", ""))
            if key not in known and key not in fresh:
                fresh[key] = item
        if not fresh:
            return 0
        return self._append(list(fresh.values()))

    def _append(self, items: list[Mapping[str, Any]]) -> int:
        """Index ``items`` (new ids, none repeated) as a new segment."""
        batch = sorted(items, key=item_position)
        stats = [seg.stats for seg in self.segments]
        prior = (sum(s[0] for s in stats), sum(s[1] for s in stats), sum(s[2] for s in stats))
        self.segments.append(SegmentBuilder(batch, len(self), prior).build())
        self._reset()
        return len(batch)

    def extend(self, more: SearchIndex) -> None:
        """Take on the segments of ``more``, an index of the items after this one's (a
        later part of the cache); ValueError when they do not start where these end."""
        for seg in more.segments:
            if seg.start != len(self):
                raise ValueError("the index's later part does not follow it")
            self.segments.append(seg)
        self._mapped.extend(more._mapped)
        self._reset()

    # -- the cache file --

    def save(self, path: str | os.PathLike[str], signature: str) -> None:
        """Write the index to ``path`` atomically, stamped with the store's ``signature``."""
        sections: list[tuple[str, int, int, int]] = []
        blocks: dict[int, tuple[int, list[int]]] = {}
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
            block = block_crcs(chunk)  # a big one can be checked in part (``span``)
            if block is not None:
                blocks[len(sections)] = block
            sections.append((kind, offset, len(raw), zlib.crc32(chunk)))
            chunks.append(chunk)
            offset += len(chunk)
            return len(sections) - 1

        segments = []
        for seg in self.segments:
            parts = {name: put(section_part(seg, name)) for name in Segment.ARRAYS}
            for name in ("ids", "titles"):  # loaded as views, not copied: decoded on use
                i = parts[name]
                sections[i] = ("text",) + sections[i][1:]
            lexes = {name: [put(a) for a in lex.arrays()]
                     for name, lex in seg.lex.items()}
            segments.append({"start": seg.start, "n": seg.n, "stats": seg.stats,
                             "parts": parts, "lex": lexes})
        header = marshal.dumps({"format": INDEX_FORMAT, "signature": signature,
                                "segments": segments, "sections": sections,
                                "blocks": blocks})
        head = MAGIC + len(header).to_bytes(4, "little")
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
            loaded = load_segments(os.fspath(path), signature, verify)
        except Exception:  # a cache is disposable: any failure means "rebuild"
            return None
        return None if loaded is None else cls(*loaded)

    # -- facts --

    def __len__(self) -> int:
        return sum(s.n for s in self.segments)

    def __contains__(self, item_id: object) -> bool:
        return isinstance(item_id, str) and self._find(item_id) is not None

    def ids(self) -> list[str]:
        """All ids in original order."""
        return self._order_ids(self.everything(), "original", {})

    def days(self) -> list[str]:
        """Each item's day (``YYYY-MM-DD``, "" when it has no date), in the order of
        ``ids()`` (a pass over every item: ``newest_first`` is the cheap way to list)."""
        by_ordinal = [""] * len(self)
        for seg in self.segments:
            dates = seg.dates
            for i, local in enumerate(seg.date_ords):
                raw = dates[i * DATE_WIDTH : (i + 1) * DATE_WIDTH]
                by_ordinal[seg.start + local] = raw.decode("ascii")
        if self.monotonic():
            return by_ordinal
        if self._positions is None:
            self._positions = list(chain.from_iterable(s.positions for s in self.segments))
        order = sorted(range(len(self)), key=self._positions.__getitem__)
        return [by_ordinal[o] for o in order]

    def newest_first(self) -> tuple[array, list[tuple[int, str]]] | None:
        """The ordinals in the store's list order (newest day first, a day's items in
        original order, undated ones last) and where each day's run starts in it, as
        (start, day; "" for undated). Read from the sorted dates in runs of a day,
        with no step per dated item: the first frame of a 300,000-item store lists
        from it. None when ordinals are not in original order (``days`` then)."""
        if not self.monotonic():
            return None
        runs: dict[str, list[array]] = {}
        undated: list[array] = []
        for seg in self.segments:
            ords, dates = seg.date_ords, seg.dates

            def cut(i: int, dates: bytes = dates) -> bytes:
                return dates[i * DATE_WIDTH : (i + 1) * DATE_WIDTH]

            end = len(ords)
            while end:
                raw = cut(end - 1)
                start = bisect.bisect_left(range(end), raw, key=cut)
                runs.setdefault(raw.decode("ascii"), []).append(
                    _shifted(array(U32, bytes(ords[start:end])), seg.start))
                end = start
            if len(ords) < seg.n:
                dated = set(ords)
                undated.append(array(U32, (seg.start + o for o in range(seg.n)
                                           if o not in dated)))
        order = array(U32)
        starts: list[tuple[int, str]] = []
        for day in sorted(runs, reverse=True):
            starts.append((len(order), day))
            for run in runs[day]:
                order.extend(run)
        if undated:
            starts.append((len(order), ""))
            for run in undated:
                order.extend(run)
        return order, starts

    def title(self, item_id: str) -> str | None:
        """The stored title of ``item_id`` (None when it is not indexed)."""
        found = self._find(item_id)
        return None if found is None else found[0].title_at(found[1])

    def ordinal(self, item_id: str) -> int | None:
        """The item's place in the original order (None when it is not indexed)."""
        found = self._find(item_id)
        return None if found is None else found[0].start + found[1]

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

    def ordinal_ids(self) -> list[str]:
        """Every id at its ordinal (the original order when items were added in it)."""
        if self._ids is None:
            self._ids = list(chain.from_iterable(s.ids() for s in self.segments))
        return self._ids

    @property
    def ids_decoded(self) -> bool:
        """Whether the id list is decoded (else a few ids are cheaper decoded alone)."""
        return self._ids is not None

    def ordinal_map(self) -> dict[str, int]:
        if self._ord is None:
            ids = self.ordinal_ids()
            self._ord = dict(zip(ids, range(len(ids)), strict=True))
        return self._ord

    def everything(self) -> frozenset[int]:
        if self._all is None:
            self._all = frozenset(range(len(self)))
        return self._all

    def monotonic(self) -> bool:
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
        if within is None and order == "relevance" and limit is not None:
            top = top_of_one_word(self, node, limit)
            if top is not None:
                return self._ids_of(top)
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
            keys = [k for k in map(lex.find, self.expand(node.text, node.prefix)) if k >= 0]
            if len(keys) > 1:
                return None  # a prefix with several terms: their postings overlap
            total += lex.df(keys[0]) if keys else 0
        return total

    def _vectorized(self, load: bool = True) -> Any:
        """``store.search.rank`` when this index evaluates queries with numpy, else None.

        Without ``load`` only if numpy is in already (``count`` and ``matches``: sets
        are cheap enough there, a fresh process should not import numpy to count)."""
        want = self.vectorize
        if want is None:
            want = len(self) >= VECTORIZE_FROM
        if not want or not load and "store.search.rank" not in sys.modules:
            return None
        try:
            from store.search import rank as vecsearch
        except ImportError:  # numpy missing: the pure-Python path gives the same answers
            return None
        return vecsearch

    def _matches(
        self, node: Node, user: UserState | None, within: Collection[str] | None
    ) -> frozenset[int] | set[int]:
        found = Evaluator(self, user or MemoryUserState()).eval(node)
        if within is not None:
            found = found & self.within_ordinals(within)
        return found

    def within_ordinals(self, within: Collection[str]) -> frozenset[int]:
        """The ordinals of ``within``; the last frozenset passed is remembered (the
        selected tree node stays the same while a query is typed)."""
        if self._last_within is not None and self._last_within[0] is within:
            return self._last_within[1]
        ords = self.ordinal_map()
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
        if found is self._all and self.monotonic():
            ranked: Sequence[int] = range(len(self))
        elif self.monotonic():
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
        return self._ids_of(ranked)

    def _ids_of(self, ranked: Sequence[int]) -> list[str]:
        """The ids at these ordinals, decoded alone when they are few."""
        if isinstance(ranked, range):  # everything, in order
            return self.ordinal_ids()[ranked.start : ranked.stop]
        if self._ids is None and len(ranked) <= 256:  # a few: decode them alone
            return [self.id_at(o) for o in ranked]
        if len(ranked) < 2:
            return [self.ordinal_ids()[o] for o in ranked]
        return list(itemgetter(*ranked)(self.ordinal_ids()))

    def id_at(self, ordinal: int) -> str:
        for seg in self.segments:
            if ordinal < seg.start + seg.n:
                return seg.id_at(ordinal - seg.start)
        raise IndexError(ordinal)

    def user_set(
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
        postings = self.scored_postings(node)
        if not postings:
            return {}
        if len(postings) == 1 and not postings[0][1].start:
            # one term: its weights order the items, idf is a common factor (C speed)
            _, seg, k = postings[0]
            lex = seg.lex["text"]
            weights: dict[int, float] = dict(zip(lex.postings(k), bytes(lex.weights(k)),
                                                 strict=True))
            if found <= seg.docs("text", k):  # type: ignore[operator]  # a frozenset
                return weights  # found lies inside the posting: no zero scores needed
            scores: dict[int, float] = dict.fromkeys(found, 0)
            scores.update(weights)
            return scores
        scores = dict.fromkeys(found, 0.0)
        for idf, seg, k in postings:
            lex = seg.lex["text"]
            docs, wts = lex.postings(k), bytes(lex.weights(k))
            start, end = seg.start, seg.start + seg.n
            if len(docs) > 2 * len(found):  # (looked up in local ordinals: none shifted)
                weight = dict(zip(docs, wts, strict=True))
                for d in found:
                    w = weight.get(d - start) if start <= d < end else None
                    if w:
                        scores[d] += idf * w
            else:
                for d, w in zip(map(start.__add__, docs) if start else docs, wts, strict=True):
                    if d in scores:
                        scores[d] += idf * w
        return scores

    def scored_postings(self, node: Node) -> list[tuple[float, Segment, int]]:
        """(idf, segment, text key index) of each posting BM25 sums for ``node``, in the
        order the sums are made (both evaluators add in this order: equal floats)."""
        wanted: set[str] = set()
        for leaf in positive_text(node):
            if isinstance(leaf, Term):
                wanted.update(self.expand(leaf.text, leaf.prefix, limit=MAX_SCORED_EXPANSIONS))
            elif isinstance(leaf, Phrase):
                # a phrase scores as its rarest word: the others add cost, not order
                whole = leaf.terms[:-1] if leaf.prefix else leaf.terms
                if whole:
                    wanted.add(min(whole, key=self._df))
        postings: list[tuple[float, Segment, int]] = []  # (idf, segment, key index)
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

    def expand(self, text: str, prefix: bool, limit: int | None = None) -> list[str]:
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


def _shifted(run: array, by: int) -> array:
    """``run`` with ``by`` added to each ordinal (a later segment's local ordinals)."""
    return run if not by else array(run.typecode, map(by.__add__, run))
