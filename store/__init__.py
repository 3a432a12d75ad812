"""newsdesk's core: the store of news items, in plain Python.

The CLI and the TUI are two thin faces over this package; it never imports
textual or rich. Start with ``open_store``. Names are imported on first use, so
``import store.search.index`` (the CLI's search path) does not pay for the extractor.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from store.desk import Store
    from store.errors import (
        ReadOnlyStoreError,
        StoreBusyError,
        StoreError,
        StoreFormatError,
        StoreWriteError,
    )
    from store.ingest.dedupe import ImportReport
    from store.model import Item

_WHERE = {
    "ImportReport": "store.ingest.dedupe",
    "Store": "store.desk",
    "Item": "store.model",
    "ReadOnlyStoreError": "store.errors",
    "StoreBusyError": "store.errors",
    "StoreError": "store.errors",
    "StoreFormatError": "store.errors",
    "StoreWriteError": "store.errors",
}

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


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'store' has no attribute {name!r}")


def open_store(root: str | Path, *, create: bool = True, seed: bool = True) -> Store:
    """Open (or create, with the seed briefs unless ``seed=False``) the store at ``root``."""
    from store.desk import Store

    return Store.open(root, create=create, seed=seed)
