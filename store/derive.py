"""What newsdesk derives from an item's text: topics (rules) and entities (extraction).

Derived at import and when the rules or the extractor change — never at start-up.
People are resolved across the whole store ("Tusk" -> "Donald Tusk" when the store
names exactly one Tusk), so each item keeps the names as found (``people_raw``) and
the resolved ones (``people``), and resolution is redone when new names arrive.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from store.entities import GROUPS, entities, extract, resolve_people
from store.topics import TopicRules

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
        found = entities(text)
        item["people_raw"] = found["people"]
        item["people"] = list(found["people"])
        item["places"] = found["places"]
        item["orgs"] = found["orgs"]


def resolve_all(docs: Iterable[dict[str, Any]]) -> int:
    """Re-resolve people across ``docs`` in place; returns how many items changed."""
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
