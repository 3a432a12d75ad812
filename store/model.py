"""The item: what one brief looks like in the store, and how a record becomes one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypedDict

from store.importers.records import Record
from store.text import clean, item_id, make_title

SCHEMA_VERSION = 1


class Item(TypedDict, total=False):
    """One brief. Content only: tags and read state are user state, kept apart."""

    id: str  # stable: derived from the normalized text
    title: str  # the first sentence, shortened
    body: str  # the full text, sanitized
    source: str  # the file it came from (name only)
    line: int | None  # where in that file
    position: int  # global original order (also the TinyDB document id)
    imported_at: str  # ISO-8601 UTC
    topics: list[str]  # derived by the topic rules


def now_iso() -> str:
    """The current time as ISO-8601 UTC, to the second."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_item(record: Record, position: int, imported_at: str) -> dict[str, Any]:
    """Build the stored form of ``record`` (topics are filled in by the store)."""
    body = clean(record.body)
    title = clean(record.title).replace("\n", " ") if record.title else make_title(body)
    return {
        "id": item_id(body),
        "title": title,
        "body": body,
        "source": record.source.replace("\\", "/").rsplit("/", 1)[-1],
        "line": record.line,
        "position": position,
        "imported_at": imported_at,
        "topics": [],
    }
