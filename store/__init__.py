"""newsdesk's core: the store of news items, in plain Python.

The CLI and the TUI are two thin faces over this package; it never imports textual
or rich. This module is the one face they use: every name below is imported on first
use from the part that holds it, so ``newsdesk search`` (which needs the query parser
and the index alone) never pays for the importers, the extractor or TinyDB.
Start with ``open_store``.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from store.desk import Store
    from store.disk.atomic import atomic_write
    from store.disk.layout import ITEMS_FILE, config_dir, default_store_dir, items_size
    from store.disk.safe_output import write_output
    from store.doctor import check_store, restore_store
    from store.errors import (
        ImportInterrupted,
        ReadOnlyStoreError,
        StoreBusyError,
        StoreError,
        StoreFormatError,
        StoreWriteError,
    )
    from store.export import export_items, render
    from store.ingest.dedupe import ImportReport
    from store.ingest.feeds.opml import read_opml, write_opml
    from store.ingest.feeds.subscriptions import FeedURLError, Subscription, normalize_url
    from store.ingest.formats import EXPORT_FORMATS, IMPORT_FORMATS
    from store.ingest.importers import (
        ImportOptions,
        MappingError,
        parse_mappings,
        read_bytes,
        read_file,
    )
    from store.model import Item, items_at, now_iso, resolve_id, stored_count
    from store.search.cache import LazyStateView, items_signature, load_index
    from store.search.evaluate import highlight_spans
    from store.search.index import SearchIndex
    from store.search.query import MatchAll, Node, QuerySyntaxError, parse
    from store.state.actions import UserActions
    from store.state.journal import Record as OpRecord
    from store.state.tagnames import (
        TagNameError,
        clean_tag,
        complete_tag,
        parse_tag_edit,
        shared_tags,
    )
    from store.text.clean import sanitize, sanitize_line
    from store.tree import (
        ALL,
        UNREAD,
        NodeKey,
        TreeIndex,
        TreeNode,
        load_counts,
        save_counts,
        select,
    )

_WHERE = {
    "ALL": "store.tree",
    "EXPORT_FORMATS": "store.ingest.formats",
    "FeedURLError": "store.ingest.feeds.subscriptions",
    "IMPORT_FORMATS": "store.ingest.formats",
    "ITEMS_FILE": "store.disk.layout",
    "ImportOptions": "store.ingest.importers",
    "ImportInterrupted": "store.errors",
    "ImportReport": "store.ingest.dedupe",
    "Item": "store.model",
    "LazyStateView": "store.search.cache",
    "MappingError": "store.ingest.importers",
    "MatchAll": "store.search.query",
    "Node": "store.search.query",
    "NodeKey": "store.tree",
    "OpRecord": "store.state.journal:Record",
    "QuerySyntaxError": "store.search.query",
    "ReadOnlyStoreError": "store.errors",
    "SearchIndex": "store.search.index",
    "Store": "store.desk",
    "items_at": "store.model",
    "stored_count": "store.model",
    "StoreBusyError": "store.errors",
    "StoreError": "store.errors",
    "StoreFormatError": "store.errors",
    "StoreWriteError": "store.errors",
    "Subscription": "store.ingest.feeds.subscriptions",
    "TagNameError": "store.state.tagnames",
    "TreeIndex": "store.tree",
    "TreeNode": "store.tree",
    "UNREAD": "store.tree",
    "UserActions": "store.state.actions",
    "atomic_write": "store.disk.atomic",
    "check_store": "store.doctor",
    "clean_tag": "store.state.tagnames",
    "complete_tag": "store.state.tagnames",
    "config_dir": "store.disk.layout",
    "default_store_dir": "store.disk.layout",
    "export_items": "store.export",
    "highlight_spans": "store.search.evaluate",
    "items_signature": "store.search.cache",
    "items_size": "store.disk.layout",
    "load_counts": "store.tree",
    "load_index": "store.search.cache",
    "normalize_url": "store.ingest.feeds.subscriptions",
    "now_iso": "store.model",
    "parse": "store.search.query",
    "parse_mappings": "store.ingest.importers",
    "parse_tag_edit": "store.state.tagnames",
    "read_bytes": "store.ingest.importers",
    "read_file": "store.ingest.importers",
    "read_opml": "store.ingest.feeds.opml",
    "render": "store.export",
    "resolve_id": "store.model",
    "restore_store": "store.doctor",
    "sanitize": "store.text.clean",
    "sanitize_line": "store.text.clean",
    "save_counts": "store.tree",
    "select": "store.tree",
    "shared_tags": "store.state.tagnames",
    "write_opml": "store.ingest.feeds.opml",
    "write_output": "store.disk.safe_output",
}
"""Public name -> the module that holds it ("module:name" when it is renamed here)."""

__all__ = [
    "ALL",
    "EXPORT_FORMATS",
    "FeedURLError",
    "IMPORT_FORMATS",
    "ITEMS_FILE",
    "ImportOptions",
    "ImportInterrupted",
    "ImportReport",
    "Item",
    "LazyStateView",
    "MappingError",
    "MatchAll",
    "Node",
    "NodeKey",
    "OpRecord",
    "QuerySyntaxError",
    "ReadOnlyStoreError",
    "SearchIndex",
    "Store",
    "StoreBusyError",
    "StoreError",
    "StoreFormatError",
    "StoreWriteError",
    "Subscription",
    "TagNameError",
    "TreeIndex",
    "TreeNode",
    "UNREAD",
    "UserActions",
    "atomic_write",
    "check_store",
    "clean_tag",
    "complete_tag",
    "config_dir",
    "default_store_dir",
    "export_items",
    "highlight_spans",
    "items_signature",
    "items_size",
    "load_counts",
    "load_index",
    "normalize_url",
    "now_iso",
    "open_store",
    "parse",
    "parse_mappings",
    "parse_tag_edit",
    "preload_extractor",
    "read_bytes",
    "read_file",
    "read_opml",
    "render",
    "resolve_id",
    "items_at",
    "stored_count",
    "restore_store",
    "sanitize",
    "sanitize_line",
    "save_counts",
    "select",
    "shared_tags",
    "write_opml",
    "write_output",
]


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'store' has no attribute {name!r}")
    module, _, original = where.partition(":")
    value = getattr(import_module(module), original or name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def open_store(root: str | Path, *, create: bool = True, seed: bool = True) -> Store:
    """Open (or create, with the seed briefs unless ``seed=False``) the store at ``root``."""
    from store.desk import Store

    return Store.open(root, create=create, seed=seed)


def preload_extractor() -> None:
    """Import the entity extractor now (it builds its gazetteers, ~0.25 s): the TUI does
    it in a worker, so the first item shown never waits for it."""
    import_module("store.derive.entities.extract")
