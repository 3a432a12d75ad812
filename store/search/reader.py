"""The one place the index reads an item: which fields it takes and how (title, text,
metadata values, position, day). The index never touches the store's files.

Free text is the item's own words, ``title`` and ``body`` (``item_text``); the metadata
keys (``META_KEYS``) are read only as field values (``item_values``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from store.search.query import (
    FIELDS,
)

DAY_PATTERN = re.compile(rb"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DATE_WIDTH = 10  # a day, YYYY-MM-DD


def item_values(item: Mapping[str, Any], key: str) -> list[str]:
    """``item[key]`` as a list of strings (a missing or odd value is empty)."""
    value = item.get(key)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str)]
    return []


def item_fields() -> dict[str, tuple[str, str]]:
    """The field lexicons the index builds: field name -> (kind, item key)."""
    return {
        name: (spec.kind, spec.key)
        for name, spec in FIELDS.items()
        if not spec.user and spec.kind in ("path", "name")
    }


META_KEYS = ("source", "topics", "subjects", "people", "places", "orgs", "feed")
"""The metadata an item carries. None of it is free text: each is reached through its
field (``source:``, ``topic:``, ``subject:``, ``person:``, ``place:``, ``org:``,
``feed:``), whose lexicon ``item_fields`` names."""


def item_text(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    return value if isinstance(value, str) else ""


def item_position(item: Mapping[str, Any]) -> int:
    value = item.get("position")
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def item_day(item: Mapping[str, Any]) -> bytes:
    """The item's date as ``YYYY-MM-DD`` bytes, or empty when it has none."""
    value = item.get("date")
    if not isinstance(value, str):
        return b""
    raw = value[:DATE_WIDTH].encode("ascii", "replace")
    return raw if DAY_PATTERN.fullmatch(raw) else b""


