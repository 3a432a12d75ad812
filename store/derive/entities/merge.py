"""Merging name variants across a whole store."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from store.text.clean import fold

DOMINANT = 0.75
"""A surname joins the longer name it most often stands for when that one has at least
this share of the store's mentions of longer names ending with it (George W. Bush over
Jeb Bush); below it the surname is ambiguous and stays as it is."""


def _core(name: str) -> tuple[str, ...]:
    """A name's words without initials, folded: "George W. Bush" -> (george, bush)."""
    words = tuple(fold(w.rstrip(".")) for w in name.split())
    kept = tuple(w for w in words if len(w) > 1)
    return kept or words


def _fullest(forms: Counter[str]) -> str:
    """The fullest of a name's spellings: most words, then most used, then first."""
    return max(forms, key=lambda n: (len(n.split()), forms[n], -sorted(forms).index(n)))


def resolve_people(per_item: Sequence[Sequence[str]]) -> list[list[str]]:
    """Merge person names across a whole store into one node each, named by the fullest
    common form: "George Bush" and "George W. Bush" are one name (initials aside), and a
    lone surname or a shorter tail of a name ("Bush", "Lula da Silva") becomes the longer
    name that ends with it ("Tusk" -> "Donald Tusk") when the store names one, or one far
    more often than the others (``DOMINANT``). Ambiguous names (two Smiths) are left as
    they are. Each item's list keeps its order, without duplicates.
    """
    forms: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    for names in per_item:
        for name in names:
            forms[_core(name)][name] += 1
    uses = {core: sum(c.values()) for core, c in forms.items()}
    by_tail: dict[tuple[str, ...], set[tuple[str, ...]]] = defaultdict(set)
    for core in forms:
        for k in range(1, len(core)):
            by_tail[core[k:]].add(core)
    target: dict[tuple[str, ...], tuple[str, ...]] = {}
    for core in forms:
        longer = by_tail.get(core)
        if not longer:
            continue
        top = max(len(x) for x in longer)
        widest = [x for x in longer if len(x) == top]
        if len(widest) == 1 and all(widest[0][-len(x):] == x for x in longer):
            target[core] = widest[0]
            continue
        total = sum(uses[x] for x in longer)
        best = max(longer, key=lambda x: (uses[x], x))
        if uses[best] >= DOMINANT * total:
            target[core] = best
    out: list[list[str]] = []
    cache: dict[str, str] = {}
    for names in per_item:
        resolved: list[str] = []
        for name in names:
            final = cache.get(name)
            if final is None:
                core = _core(name)
                final = cache[name] = _fullest(forms[target.get(core, core)])
            if final not in resolved:
                resolved.append(final)
        out.append(resolved)
    return out


def resolve_orgs(per_item: Sequence[Sequence[str]]) -> list[list[str]]:
    """Merge organisation names across a store: a company's full name joins its short
    name when the store uses both and the rest is company words ("Toyota Motor" ->
    "Toyota", "Apple Computer" -> "Apple"); see ``gazetteer.COMPANY_WORDS``."""
    from store.derive.entities.gazetteer import COMPANY_WORDS

    known = {_core(n): n for names in per_item for n in names}
    # "HP" is Hewlett-Packard when the store names exactly one organisation so initialled
    initials: dict[str, set[str]] = defaultdict(set)
    for name in {n for names in per_item for n in names}:
        words = [w for w in re.split(r"[\s-]+", name) if w[:1].isupper()]
        if len(words) >= 2:
            initials["".join(w[0] for w in words)].add(name)
    cache: dict[str, str] = {}
    out: list[list[str]] = []
    for names in per_item:
        resolved: list[str] = []
        for name in names:
            final = cache.get(name)
            if final is None:
                core, final = _core(name), name
                if name.isupper() and len(initials.get(name, ())) == 1:
                    final = next(iter(initials[name]))
                for k in range(len(core) - 1, 0, -1):
                    if all(w in COMPANY_WORDS for w in core[k:]) and core[:k] in known:
                        final = known[core[:k]]
                        break
                cache[name] = final
            if final not in resolved:
                resolved.append(final)
        out.append(resolved)
    return out
