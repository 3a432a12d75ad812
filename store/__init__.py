"""newsdesk's core: the store of news items, in plain Python.

The CLI and the TUI are two thin faces over this package; it never imports
textual or rich. Start with ``open_store``.
"""

from __future__ import annotations

from pathlib import Path

from store.desk import ImportReport, Store
from store.errors import (
    ReadOnlyStoreError,
    StoreBusyError,
    StoreError,
    StoreFormatError,
    StoreWriteError,
)
from store.model import Item

__all__ = [
    "ImportReport",
    "Item",
    "ReadOnlyStoreError",
    "Store",
    "StoreBusyError",
    "StoreError",
    "StoreFormatError",
    "StoreWriteError",
    "open_store",
]


def open_store(root: str | Path, *, create: bool = True, seed: bool = True) -> Store:
    """Open (or create, with the seed briefs unless ``seed=False``) the store at ``root``."""
    return Store.open(root, create=create, seed=seed)
