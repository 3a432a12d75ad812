"""Query evaluation and BM25 ranking with numpy, for big indexes.

The same answers as ``store.search.index``'s pure-Python evaluator (same hits, same order;
tests/test_index.py compares the two on random queries), computed on arrays:

* a match set is a boolean mask over all ordinals, so AND/OR/NOT are one pass each;
* postings, weights, positions and the forward array are read zero-copy from the
  mmapped cache file (``np.frombuffer`` over the section views);
* a phrase checks its words in the forward array for all candidate starts at once;
* scores are a float array filled by ``scores[docs] += idf * weights`` posting by
  posting, in the order the Python path adds them (so the floats are equal), and
  ``argsort(-scores, kind="stable")`` keeps equal scores in position order.

Importing numpy costs ~0.1 s, so ``store.search.index`` imports this module only when an
index asks for it (``SearchIndex.vectorize``); the one-shot CLI never does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from store.search.query import (
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
)

if TYPE_CHECKING:
    from collections.abc import Collection

    from store.search.segments import IndexView, Lexicon, Segment, UserState

__all__ = ["matches", "search", "warm"]


def warm(index: IndexView) -> None:
    """Build the arrays the first search would (``SearchIndex.warm``)."""
    _cache(index).ids_at(index, np.zeros(0, dtype=np.intp))


def search(
    index: IndexView,
    node: Node,
    user: UserState,
    within: Collection[str] | None,
    order: str,
    limit: int | None,
) -> list[str]:
    """``SearchIndex.search``, computed with numpy (see the module docstring)."""
    found = matches(index, node, user, within)
    scores = _scores(index, node) if order == "relevance" and found.size else None
    if scores is None and limit is None and found.size == len(index) and index.monotonic():
        return list(index.ordinal_ids())  # everything in original order
    ranked = found
    if not index.monotonic():  # ordinal order is not position order: sort by position
        positions = _cache(index).positions(index)
        ranked = ranked[np.argsort(positions[ranked], kind="stable")]
    if scores is not None:
        # stable: equal scores keep position order, as sorted(reverse=True) does; one
        # term's scores are its byte weights, which a stable sort orders by radix (fast)
        key = 255 - scores[ranked] if scores.dtype == np.uint8 else -scores[ranked]
        ranked = ranked[np.argsort(key, kind="stable")]
    if limit is not None:
        ranked = ranked[: max(limit, 0)]
    if not index.ids_decoded and ranked.size <= 256:  # a few: decode them alone
        return [index.id_at(o) for o in ranked.tolist()]
    return _cache(index).ids_at(index, ranked)


def matches(
    index: IndexView, node: Node, user: UserState, within: Collection[str] | None
) -> Any:
    """The ordinals matching ``node`` (and in ``within``), ascending, as an int array."""
    if isinstance(node, Term) and within is None and len(index.segments) == 1:
        # one word in one segment (the commonest query): its postings are the answer
        seg = index.segments[0]
        lex = seg.lex["title" if node.field == "title" else "text"]
        keys = [k for k in map(lex.find, index.expand(node.text, node.prefix)) if k >= 0]
        if len(keys) == 1:
            return _postings(_cache(index), lex, keys[0])
    mask = _Evaluator(index, user).eval(node)
    if within is not None:
        mask &= _cache(index).within(index, within)
    return np.flatnonzero(mask)


# -- arrays kept per index ----------------------------------------------------------


class _Arrays:
    """What the numpy side derives once per index: array views of the cache sections,
    the id array, the positions and the last ``within`` mask."""

    def __init__(self) -> None:
        self.views: dict[int, Any] = {}
        self._ids: Any = None
        self._rows: Any = None
        self._positions: Any = None
        self._within: tuple[Any, Any] | None = None
        self._masks: dict[int, tuple[Any, Any]] = {}  # id(frozenset) -> (it, its mask)

    def view(self, values: Any) -> Any:
        """``values`` (an array, memoryview or bytes) as a numpy array, zero-copy.

        Keyed by ``id``: the sections live as long as the index, which holds this."""
        found = self.views.get(id(values))
        if found is None or found[0] is not values:
            raw = memoryview(values)
            found = self.views[id(values)] = (values, np.frombuffer(raw, dtype=raw.format))
        return found[1]

    def ids_at(self, index: IndexView, ordinals: Any) -> list[str]:
        """The ids at ``ordinals``, in that order.

        Ids of one width (all of them, as ``item_id`` makes them) are fixed-size rows of
        one bytes blob: taking the rows and splitting one decoded string makes fresh
        strings in memory order. Taking the id list's strings in relevance order
        touches each (its reference count) at random, ~2x slower at 60k hits.
        """
        if self._rows is None:
            self._rows = self._id_rows(index)
        if self._rows is not False:
            taken = self._rows.take(ordinals).tobytes()
            out = str(taken, "utf-8", "surrogatepass").split("\x00")
            out.pop()  # after the last row's "\0"
            return out
        if self._ids is None:
            self._ids = np.array(index.ordinal_ids(), dtype=object)
        return self._ids.take(ordinals).tolist()

    @staticmethod
    def _id_rows(index: IndexView) -> Any:
        """The ids as an array of "\0"-ended fixed-size rows, or False when their
        UTF-8 lengths differ."""
        widths = set()
        for seg in index.segments:
            if seg.n:
                raw: Any = seg.ids_off  # an array.array or a memoryview: a buffer
                offsets = np.frombuffer(memoryview(raw), dtype=memoryview(raw).format)
                widths.update(np.unique(np.diff(offsets)).tolist())
        if len(widths) != 1:
            return False
        blob = b"\0".join(bytes(seg.ids_blob) for seg in index.segments if seg.n) + b"\0"
        return np.frombuffer(blob, dtype=f"V{widths.pop()}")

    def positions(self, index: IndexView) -> Any:
        if self._positions is None:
            self._positions = np.concatenate(
                [self.view(s.positions) for s in index.segments] or [np.zeros(0, np.int64)]
            )
        return self._positions

    def mask(self, n: int, ordinals: Collection[int]) -> Any:
        """A fresh mask of ``ordinals``; those of the last few sets are remembered (the
        user-state sets stay the same objects while tags and read marks do)."""
        found = self._masks.get(id(ordinals))
        if found is None or found[0] is not ordinals:
            mask = np.zeros(n, dtype=bool)
            mask[np.fromiter(ordinals, dtype=np.intp, count=len(ordinals))] = True
            if len(self._masks) >= 16:
                self._masks.clear()
            found = self._masks[id(ordinals)] = (ordinals, mask)
        return found[1].copy()

    def within(self, index: IndexView, within: Collection[str]) -> Any:
        """A mask of ``within``; like ``IndexView.within_ordinals`` it remembers the last set."""
        ords = index.within_ordinals(within)  # remembered there while the same frozenset returns
        if self._within is not None and self._within[0] is ords:
            return self._within[1]
        mask = np.zeros(len(index), dtype=bool)
        mask[np.fromiter(ords, dtype=np.intp, count=len(ords))] = True
        if isinstance(within, frozenset):
            self._within = (ords, mask)
        return mask


def _cache(index: IndexView) -> _Arrays:
    if index.arrays is None:  # SearchIndex._reset drops it when segments change
        index.arrays = _Arrays()
    return index.arrays


def _postings(arrays: _Arrays, lex: Lexicon, k: int) -> Any:
    return arrays.view(lex.docs)[lex.doff[k] : lex.doff[k + 1]]


# -- evaluation ----------------------------------------------------------------------


class _Evaluator:
    """Evaluates a syntax tree to a boolean mask over all ordinals (a fresh array each
    time, so callers may change it in place)."""

    def __init__(self, index: IndexView, user: UserState) -> None:
        from store.search.evaluate import Evaluator as PyEvaluator

        self.index, self.user, self.n = index, user, len(index)
        self.arrays = _cache(index)
        self.py = PyEvaluator(index, user)  # user state: its sets are remembered there

    def eval(self, node: Node) -> Any:
        if isinstance(node, MatchAll):
            return np.ones(self.n, dtype=bool)
        if isinstance(node, And):
            wanted = [c for c in node.children if not isinstance(c, Not)]
            unwanted = [c.child for c in node.children if isinstance(c, Not)]
            out = None
            for child in wanted:
                out = self.eval(child) if out is None else np.logical_and(
                    out, self.eval(child), out=out)
            if out is None:
                out = np.ones(self.n, dtype=bool)
            for exclude in unwanted:
                out &= ~self.eval(exclude)
            return out
        if isinstance(node, Or):
            out = np.zeros(self.n, dtype=bool)
            for either in node.children:
                out |= self.eval(either)
            return out
        if isinstance(node, Not):
            return ~self.eval(node.child)
        if isinstance(node, Flag):
            positive = {"untagged": "tagged", "unread": "read"}.get(node.name, node.name)
            out = self._mask(self.py._flag(positive))
            return ~out if positive != node.name else out
        if isinstance(node, FieldMatch) and FIELDS[node.field].user:
            return self._mask(self.py._tags(node))
        out = np.zeros(self.n, dtype=bool)
        for seg in self.index.segments:
            self._leaf(seg, node, out[seg.start : seg.start + seg.n])
        return out

    def _mask(self, ordinals: Collection[int]) -> Any:
        return self.arrays.mask(self.n, ordinals)

    def _leaf(self, seg: Segment, node: Node, out: Any) -> None:
        """Set ``out`` (the segment's part of the mask) where ``node`` matches."""
        if isinstance(node, Term):
            name = "title" if node.field == "title" else "text"
            lex = seg.lex[name]
            for word in self.index.expand(node.text, node.prefix):
                k = lex.find(word)
                if k >= 0:
                    out[_postings(self.arrays, lex, k)] = True
        elif isinstance(node, Phrase):
            self._phrase(seg, node, out)
        elif isinstance(node, DateMatch):
            start, end = seg.date_bounds(node.op, node.value)
            out[self.arrays.view(seg.date_ords)[start:end]] = True
        elif isinstance(node, FieldMatch):
            field_lex = seg.lex.get(node.field)
            if field_lex is None:
                return
            keys = (field_lex.prefixed(node.value) if node.prefix
                    else [field_lex.find(node.value)])
            for k in keys:
                if k >= 0:
                    out[_postings(self.arrays, field_lex, k)] = True
        else:  # pragma: no cover
            raise TypeError(f"not a query node: {node!r}")

    def _phrase(self, seg: Segment, node: Phrase, out: Any) -> None:
        """Where the words stand in a row: the rarest word's positions, shifted back,
        are the candidate starts; the forward array confirms the other words."""
        lex = seg.lex["text"]
        assert lex.pos is not None and lex.poff is not None
        slots: list[list[int]] = []
        for i, word in enumerate(node.terms):
            last = i == len(node.terms) - 1
            ks = [lex.find(w) for w in self.index.expand(word, node.prefix and last)]
            ks = [k for k in ks if k >= 0]
            if not ks:
                return
            slots.append(ks)
        poff = lex.poff
        sizes = [sum(poff[k + 1] - poff[k] for k in ks) for ks in slots]
        rare, *others = sorted(range(len(slots)), key=sizes.__getitem__)
        width = len(slots)
        fwd = self.arrays.view(seg.fwd)
        pos = self.arrays.view(lex.pos)
        starts = np.concatenate([pos[poff[k] : poff[k + 1]] for k in slots[rare]])
        starts = starts.astype(np.int64) - rare
        starts = starts[(starts >= 0) & (starts <= len(fwd) - width)]
        for i in others:  # rarer words first: they discard the most starts
            if not starts.size:
                return
            found = fwd[starts + i]
            ks = slots[i]
            keep = found == ks[0] if len(ks) == 1 else np.isin(found, ks)
            starts = starts[keep]
        if not starts.size:
            return
        bases = self.arrays.view(seg.bases)
        docs = np.searchsorted(bases, starts, side="right") - 1
        if node.field == "title":
            tlen = self.arrays.view(seg.tlen)
            docs = docs[starts + width <= bases[docs].astype(np.int64) + tlen[docs]]
        out[docs] = True


def _scores(index: IndexView, node: Node) -> Any:
    """BM25 of every ordinal (only the found ones are read), or None when the query has
    no positive text terms; the sums are made in ``SearchIndex``'s scoring order."""
    postings = index.scored_postings(node)
    if not postings:
        return None
    arrays = _cache(index)
    single = len(postings) == 1 and not postings[0][1].start
    scores = np.zeros(len(index), dtype=np.uint8 if single else np.float64)
    for idf, seg, k in postings:
        lex = seg.lex["text"]
        assert lex.wts is not None
        docs = _postings(arrays, lex, k)
        weights = arrays.view(lex.wts)[lex.doff[k] : lex.doff[k + 1]]
        part = scores[seg.start : seg.start + seg.n]
        if single:  # one term: the weights alone order the items (idf is a factor)
            part[docs] = weights
        else:  # a posting lists an item once: the fancy-index += adds once per item
            part[docs] += idf * weights.astype(np.float64)
    return scores
