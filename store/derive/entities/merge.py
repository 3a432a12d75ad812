"""Merging name variants across a whole store."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from store.text.clean import fold


def resolve_people(per_item: Sequence[Sequence[str]]) -> list[list[str]]:
    """Merge person names across a whole store: a lone surname, or a shorter tail of a
    name ("Lula da Silva"), becomes the one longer name that ends with it anywhere in the
    store ("Tusk" -> "Donald Tusk"). Ambiguous names (two Smiths) are left as they are.
    Each item's list keeps its order, without duplicates.
    """
    by_tail: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for names in per_item:
        for name in names:
            words = tuple(fold(w) for w in name.split())
            for k in range(1, len(words)):
                by_tail[words[k:]].add(name)
    out: list[list[str]] = []
    for names in per_item:
        resolved: list[str] = []
        for name in names:
            longer = by_tail.get(tuple(fold(w) for w in name.split()))
            if longer:
                # the longest names that end this way must all be one name
                top = max(len(x.split()) for x in longer)
                widest = {x for x in longer if len(x.split()) == top}
                if len(widest) == 1 and all(_ends_with(next(iter(widest)), x) for x in longer):
                    name = next(iter(widest))
            if name not in resolved:
                resolved.append(name)
        out.append(resolved)
    return out


def _ends_with(longer: str, shorter: str) -> bool:
    a = [fold(w) for w in longer.split()]
    b = [fold(w) for w in shorter.split()]
    return a[-len(b) :] == b
