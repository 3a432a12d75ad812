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


def _derive_chunk(args: tuple[list[dict[str, Any]], TopicRules]) -> list[dict[str, Any]]:
    chunk, rules = args
    out = []
    for item in chunk:
        derive(item, rules)
        out.append({k: item[k] for k in ("topics", "people_raw", "people", "places", "orgs")})
    return out


def derive_many(items: list[dict[str, Any]], rules: TopicRules) -> None:
    """``derive`` every item, on all cores when there are many (a 100k import spends
    most of its time here)."""
    workers = min(os.cpu_count() or 1, 8)
    if len(items) < PARALLEL_FROM or workers < 2:
        for item in items:
            derive(item, rules)
        return
    size = max(500, len(items) // (workers * 4))
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        results = pool.map(_derive_chunk, [(chunk, rules) for chunk in chunks])
        for chunk, derived in zip(chunks, results, strict=True):
            for item, fields in zip(chunk, derived, strict=True):
                item.update(fields)


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
    return body if not title or body.startswith(title.rstrip("…")) else f"{title}. {body}"


def explain(item: dict[str, Any], rules: TopicRules) -> list[Reason]:
    """Why the item sits where it does: (group, node name, body spans) for each topic
    and entity, for the detail pane's "why is this here" section."""
    from store.entities import GROUPS, extract

    body = item.get("body", "")
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
