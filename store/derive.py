"""What newsdesk derives from an item's text: topics (rules) and entities (extraction).

Derived at import and when the rules or the extractor change — never at start-up.
People are resolved across the whole store ("Tusk" -> "Donald Tusk" when the store
names exactly one Tusk), so each item keeps the names as found (``people_raw``) and
the resolved ones (``people``), and resolution is redone when new names arrive.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import Any

from store.topics import TopicRules

# store.entities builds its gazetteers when imported (a quarter of a second), so it is
# imported where it is first needed: opening the TUI or a CLI search never pays for it.

Span = tuple[int, int]
Reason = tuple[str, str, list[Span]]
"""(group, node name, body spans): one line of "why is this here"."""

ENTITIES_VERSION = 1
"""Bump when the extractor changes, so stores re-derive their entities once."""
DERIVE_CHARS = 50_000
"""Topics, entities and "why here" come from the first this-many characters of a text:
all of a 1 MB item would cost seconds at import and at every display of it."""


def derive(item: dict[str, Any], rules: TopicRules, with_entities: bool = True) -> None:
    """Fill in ``topics`` (and ``people_raw``, ``places``, ``orgs``) from the text."""
    text = _text(item)
    item["topics"] = rules.topics_for(text)
    if with_entities:
        from store.entities import entities

        found = entities(text)
        item["people_raw"] = found["people"]
        item["people"] = list(found["people"])
        item["places"] = found["places"]
        item["orgs"] = found["orgs"]


PARALLEL_FROM = 4000
"""Below this many items a process pool costs more than it saves."""


_FIELDS = ("topics", "people_raw", "people", "places", "orgs")
_FORKED: tuple[list[dict[str, Any]], TopicRules] | None = None
"""The job a forked worker finds in its copy of the parent's memory."""


def _derive_chunk(args: tuple[list[dict[str, Any]], TopicRules]) -> list[tuple[Any, ...]]:
    chunk, rules = args
    out = []
    for item in chunk:
        derive(item, rules)
        out.append(tuple(item[k] for k in _FIELDS))
    return out


def _derive_range(bounds: tuple[int, int]) -> list[tuple[Any, ...]]:
    assert _FORKED is not None
    items, rules = _FORKED
    return _derive_chunk((items[bounds[0]:bounds[1]], rules))


def derive_many(items: list[dict[str, Any]], rules: TopicRules) -> None:
    """``derive`` every item, on all cores when there are many (a 100k import spends
    most of its time here)."""
    global _FORKED
    workers = min(os.cpu_count() or 1, 8)
    if len(items) < PARALLEL_FROM or workers < 2:
        for item in items:
            derive(item, rules)
        return
    size = max(500, len(items) // (workers * 4))
    bounds = [(i, min(i + size, len(items))) for i in range(0, len(items), size)]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    fork = sys.platform != "win32" and "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if fork else "spawn")
    # Forked workers read the items from their copy of this process's memory: only
    # (start, end) goes to them, and only the derived fields come back as tuples
    # (pickling 100k items to the workers cost seconds).
    _FORKED = (items, rules) if fork else None
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            if fork:
                results = pool.map(_derive_range, bounds)
            else:
                results = pool.map(_derive_chunk, [(items[a:b], rules) for a, b in bounds])
            for (a, b), derived in zip(bounds, results, strict=True):
                for item, fields in zip(items[a:b], derived, strict=True):
                    item.update(zip(_FIELDS, fields, strict=True))
    finally:
        _FORKED = None


def resolve_all(docs: Iterable[dict[str, Any]]) -> int:
    """Re-resolve people across ``docs`` in place; returns how many items changed."""
    from store.entities import resolve_people

    docs = list(docs)
    resolved = resolve_people([d.get("people_raw", d.get("people", [])) for d in docs])
    changed = 0
    for doc, people in zip(docs, resolved, strict=True):
        if doc.get("people") != people:
            doc["people"] = people
            changed += 1
    return changed


def _text(item: dict[str, Any]) -> str:
    title, body = item.get("title", ""), item.get("body", "")
    text = body if not title or body.startswith(title.rstrip("…")) else f"{title}. {body}"
    return text[:DERIVE_CHARS]


def explain(item: dict[str, Any], rules: TopicRules) -> list[Reason]:
    """Why the item sits where it does: (group, node name, body spans) for each topic
    and entity, for the detail pane's "why is this here" section."""
    from store.entities import GROUPS, extract

    body = item.get("body", "")[:DERIVE_CHARS]
    out: list[Reason] = []
    for topic, spans in rules.explain(body).items():
        out.append(("topics", topic, spans))
    raw_to_resolved = dict(zip(item.get("people_raw", []), item.get("people", []), strict=False))
    by_node: dict[tuple[str, str], list[Span]] = {}
    for m in extract(body):
        name = raw_to_resolved.get(m.name, m.name) if m.group == "people" else m.name
        by_node.setdefault((m.group, name), []).append((m.start, m.end))
    for group in GROUPS:
        for (g, name), spans in by_node.items():
            if g == group:
                out.append((group, name, spans))
    return out
