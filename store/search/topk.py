"""The first screen of a one-word search, read from its posting's weights alone.

A word found in half of 300,000 items matches 150,000 of them; the general path turns
them into a set, a score per item and a heap, one Python step each (~0.1 s), to print
50. With one word the order needs none of that: the score of an item is its one-byte
BM25 weight times the word's idf, the same factor for every item, so the first
``limit`` are the highest weights, ties in position order. This module finds the
weight that the ``limit``-th item has by counting bytes (``bytes.count``, C speed) and
then reads out only the items at or above it (a byte-class regex over the weights).
The answer is exactly the general path's (tests compare the two).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from store.search.query import Node, Term

if TYPE_CHECKING:
    from collections.abc import Sequence

    from store.search.segments import IndexView

__all__ = ["top_of_one_word"]


def top_of_one_word(index: IndexView, node: Node, limit: int) -> list[int] | None:
    """The ordinals of the first ``limit`` items by relevance for a one-word text query,
    or None when ``node`` is not one (the caller takes the general path).

    One word means a text ``Term`` standing for a single indexed term (a prefix that
    expands to one term counts). Needs ordinal order to be position order
    (``index.monotonic()``): ties go by position.
    """
    if not isinstance(node, Term) or node.field != "text" or limit < 0:
        return None
    if not index.monotonic():
        return None
    words = index.expand(node.text, node.prefix, limit=2)  # (over every segment: once)
    found: set[str] = set()
    keys = []  # (segment, key index) of the one term
    for seg in index.segments:
        lex = seg.lex["text"]
        for word in words:
            k = lex.find(word)
            if k >= 0:
                found.add(word)
                keys.append((seg, k))
    if len(found) > 1 or node.prefix and not found:
        return None  # several terms (scores add up), or a prefix too wide to expand
    runs: list[tuple[int, Sequence[int], bytes]] = []  # (segment start, docs, weights)
    for seg, k in keys:
        lex = seg.lex["text"]
        runs.append((seg.start, lex.postings(k), bytes(lex.weights(k))))
    if limit == 0 or not runs:
        return []
    cut = _cut_weight(runs, limit)
    above: list[tuple[int, int]] = []  # (-weight, ordinal): sorts as the general path does
    at: list[int] = []  # ordinals with the cut weight, in position order
    higher = re.compile(b"[" + re.escape(bytes([cut + 1])) + b"-\xff]") if cut < 255 else None
    equal = re.compile(re.escape(bytes([cut])))
    for start, docs, weights in runs:
        if higher is not None:
            for hit in higher.finditer(weights):
                i = hit.start()
                above.append((-weights[i], start + docs[i]))
    need = limit - len(above)
    for start, docs, weights in runs:
        if len(at) >= need:
            break
        for hit in equal.finditer(weights):
            at.append(start + docs[hit.start()])
            if len(at) >= need:
                break
    above.sort()
    return [o for _, o in above] + at[: max(need, 0)]


def _cut_weight(runs: list[tuple[int, Sequence[int], bytes]], limit: int) -> int:
    """The weight of the ``limit``-th best item (0, the least, when fewer match)."""
    seen = 0
    for weight in range(255, 0, -1):
        byte = bytes([weight])
        seen += sum(weights.count(byte) for _, _, weights in runs)
        if seen >= limit:
            return weight
    return 0
