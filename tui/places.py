"""Where the user was in each store, kept across a quit: the tree node and the item.

It is the user's own view, not the store's content, so it lives in the user's config
folder (``places.json``), keyed by the store's real path; a team sharing one store
each come back to their own place. Written once, atomically, when the browser closes;
a missing or damaged file just means "start at All items".
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from store import NodeKey, StoreError, atomic_write, config_dir

PLACES_FILE = "places.json"
KEEP = 50
"""Stores remembered (the most recently closed)."""


def _path() -> Path:
    return config_dir() / PLACES_FILE


def _read() -> dict[str, dict[str, object]]:
    try:
        data = json.loads(_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def load_place(root: Path) -> tuple[NodeKey, str | None] | None:
    """The node and item last shown for the store at ``root``, if known."""
    entry = _read().get(os.path.realpath(root))
    if not isinstance(entry, dict):
        return None
    node, item = entry.get("node"), entry.get("item")
    if not (isinstance(node, list) and node and all(isinstance(p, str) for p in node)):
        return None
    return tuple(node), item if isinstance(item, str) else None


def save_place(root: Path, node: NodeKey, item: str | None) -> None:
    """Remember ``node`` and ``item`` for the store at ``root`` (never raises: losing a
    place is no reason to fail a quit)."""
    places = _read()
    key = os.path.realpath(root)
    places.pop(key, None)
    places[key] = {"node": list(node), "item": item}
    kept = dict(list(places.items())[-KEEP:])
    try:
        _path().parent.mkdir(parents=True, exist_ok=True)
        atomic_write(_path(), json.dumps(kept, ensure_ascii=False, indent=1).encode())
    except (OSError, StoreError):
        pass
