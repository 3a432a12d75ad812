"""The pure-Python evaluator (sets of ordinals) and query highlighting; the numpy one is
``store.search.rank``. Both read the index through ``IndexView``."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from itertools import chain, compress, repeat

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
    parse,
    positive_text,
)
from store.search.segments import IndexView, Segment, UserState, path_keys
from store.text.clean import fold, tokens


class Evaluator:
    """Evaluates a syntax tree to a set of global ordinals."""

    def __init__(self, index: IndexView, user: UserState) -> None:
        self.index, self.user = index, user

    def eval(self, node: Node) -> frozenset[int] | set[int]:
        segments = self.index.segments
        if len(segments) > 1 and not isinstance(node, MatchAll) and _local(node):
            # Each segment's answer, shifted once: shifting every leaf's postings to
            # global ordinals before and-ing them cost more than the query itself.
            parts = [self._in(seg, node) for seg in segments]
            return set().union(*(set(map(seg.start.__add__, part)) if seg.start else part
                                 for seg, part in zip(segments, parts, strict=True)))
        return self._eval(node)

    def _in(self, seg: Segment, node: Node) -> frozenset[int] | set[int]:
        """``node`` over one segment, in its local ordinals (``_local`` nodes only)."""
        if isinstance(node, MatchAll):
            return frozenset(range(seg.n))
        if isinstance(node, Or):
            out: set[int] = set()
            for child in node.children:
                out |= self._in(seg, child)
            return out
        if isinstance(node, Not):
            return frozenset(range(seg.n)) - self._in(seg, node.child)
        if isinstance(node, And):
            wanted = [c for c in node.children if not isinstance(c, Not)]
            sets = sorted((self._in(seg, c) for c in wanted), key=len)
            found: frozenset[int] | set[int] = sets[0] if sets else frozenset(range(seg.n))
            for other in sets[1:]:
                found = found & other
            for child in node.children:
                if isinstance(child, Not) and found:
                    found = found - self._in(seg, child.child)
            return found
        return self._leaf(seg, node)

    def _eval(self, node: Node) -> frozenset[int] | set[int]:
        if isinstance(node, MatchAll):
            return self.index.everything()
        if isinstance(node, And):
            return self._and(node)
        if isinstance(node, Or):
            out: set[int] = set()
            for child in node.children:
                out |= self._eval(child)
            return out
        if isinstance(node, Not):
            return self.index.everything() - self._eval(node.child)
        if isinstance(node, Flag):
            return self._flag(node.name)
        if isinstance(node, FieldMatch) and FIELDS[node.field].user:
            return self._tags(node)
        return self._per_segment(node)

    def _and(self, node: And) -> frozenset[int] | set[int]:
        wanted = [c for c in node.children if not isinstance(c, Not)]
        unwanted = [c.child for c in node.children if isinstance(c, Not)]
        sets = sorted((self._eval(c) for c in wanted), key=len)
        out: frozenset[int] | set[int] = sets[0] if sets else self.index.everything()
        for other in sets[1:]:
            if not out:
                break
            out = out & other
        for child in unwanted:
            if not out:
                break
            out = out - self._eval(child)
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
            name = "title" if node.field == "title" else "text"
            return self._union(seg, name, self.index.expand(node.text, node.prefix))
        if isinstance(node, Phrase):
            return self._phrase(seg, node)
        if isinstance(node, DateMatch):
            return seg.date_range(node.op, node.value)
        if isinstance(node, FieldMatch):
            field_lex = seg.lex.get(node.field)
            if field_lex is None:
                return set()
            if node.prefix:
                return self._union(seg, node.field, keys=field_lex.prefixed(node.value))
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
            ks = [lex.find(w) for w in self.index.expand(word, node.prefix and last)]
            ks = [k for k in ks if k >= 0]
            if not ks:
                return set()
            slots.append(ks)
        # where the phrase could start: the rarest word's positions, shifted back; then
        # the forward index (term at each position) confirms the other words
        poff = lex.poff
        assert poff is not None  # the text lexicon always has positions
        sizes = [sum(poff[k + 1] - poff[k] for k in ks) for ks in slots]
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
            have = {o for o in map(self.index.ordinal_map().get, ids) if o is not None}
            if name in ("untagged", "unread"):
                return self.index.everything() - have
            return have

        return self.index.user_set(self.user, name, make)

    def _tags(self, node: FieldMatch) -> frozenset[int]:
        def make() -> Iterator[int]:
            ords = self.index.ordinal_map()
            for item_id in self.user.tagged_ids():
                ordinal = ords.get(item_id)
                if ordinal is not None and any(
                    _path_matches(tag, node.value, node.prefix)
                    for tag in self.user.tags_of(item_id)
                ):
                    yield ordinal

        return self.index.user_set(self.user, node, make)


def _local(node: Node) -> bool:
    """Whether ``node`` reads the segments alone (no tags or read marks, which are
    global), so that it can be answered one segment at a time."""
    if isinstance(node, And | Or):
        return all(map(_local, node.children))
    if isinstance(node, Not):
        return _local(node.child)
    if isinstance(node, Flag):
        return False
    if isinstance(node, FieldMatch):
        return not FIELDS[node.field].user
    return isinstance(node, MatchAll | Term | Phrase | DateMatch)


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
