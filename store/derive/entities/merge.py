"""Merging name variants across a whole store."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from itertools import chain

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


def mapped_names(per_item: Sequence[Sequence[str]], final: Mapping[str, str]) -> list[list[str]]:
    """Each item's names through ``final``, in order, without duplicates (the loop is
    plain: it runs once per item of the store)."""
    out: list[list[str]] = []
    append = out.append
    for names in per_item:
        if not names:
            append([])
            continue
        resolved = [final[n] for n in names]
        if len(resolved) > 1 and len(set(resolved)) < len(resolved):
            resolved = list(dict.fromkeys(resolved))
        append(resolved)
    return out


def resolve_people(per_item: Sequence[Sequence[str]]) -> list[list[str]]:
    """Merge person names across a whole store into one node each, named by the fullest
    common form: "George Bush" and "George W. Bush" are one name (initials aside), and a
    lone surname or a shorter tail of a name ("Bush", "Lula da Silva") becomes the longer
    name that ends with it ("Tusk" -> "Donald Tusk") when the store names one, or one far
    more often than the others (``DOMINANT``). Ambiguous names (two Smiths) are left as
    they are. Each item's list keeps its order, without duplicates.
    """
    # Every distinct name once (a store of 300,000 items names ~850,000, ~50,000 distinct)
    return mapped_names(per_item, people_map(Counter(chain.from_iterable(per_item))))


def people_map(counts: Mapping[str, int]) -> dict[str, str]:
    """Each person name -> the node it merges into, from how often the store uses each
    (``resolve_people``'s rule; an import that keeps per-segment counts asks it alone)."""
    forms: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    for name, n in counts.items():
        forms[_core(name)][name] += n
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
    fullest: dict[tuple[str, ...], str] = {}
    final: dict[str, str] = {}
    for name in counts:
        core = _core(name)
        goal = target.get(core, core)
        if goal not in fullest:
            fullest[goal] = _fullest(forms[goal])
        final[name] = fullest[goal]
    return final


def resolve_orgs(per_item: Sequence[Sequence[str]]) -> list[list[str]]:
    """Merge organisation names across a store: a company's full name joins its short
    name when the store uses both and the rest is company words ("Toyota Motor" ->
    "Toyota", "Apple Computer" -> "Apple"); see ``gazetteer.COMPANY_WORDS``."""
    # Each distinct name once, in the order of its last use (the last use of a core wins)
    latest = list(dict.fromkeys(reversed(list(chain.from_iterable(per_item)))))[::-1]
    return mapped_names(per_item, orgs_map(latest))


def orgs_map(latest: Sequence[str]) -> dict[str, str]:
    """Each organisation name -> the node it merges into, from the distinct names in the
    order of their last use in the store (``resolve_orgs``'s rule)."""
    from store.derive.entities.gazetteer import COMPANY_WORDS

    known = {_core(n): n for n in latest}
    # "HP" is Hewlett-Packard when the store names exactly one organisation so initialled
    initials: dict[str, set[str]] = defaultdict(set)
    for name in latest:
        words = [w for w in re.split(r"[\s-]+", name) if w[:1].isupper()]
        if len(words) >= 2:
            initials["".join(w[0] for w in words)].add(name)
    final: dict[str, str] = {}
    for name in latest:
        core, final[name] = _core(name), name
        if name.isupper() and len(initials.get(name, ())) == 1:
            final[name] = next(iter(initials[name]))
        for k in range(len(core) - 1, 0, -1):
            if all(w in COMPANY_WORDS for w in core[k:]) and core[:k] in known:
                final[name] = known[core[:k]]
                break
    return final
