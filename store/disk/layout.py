"""The on-disk format of a store, owned here: every file it holds, and their versions.

A store is a folder::

    items.json          imported content: a TinyDB file (tables ``_meta``, ``items``)
                        holding the newest items and naming the sealed segments
    items/              sealed segments: TinyDB files of SEGMENT_ITEMS items each,
                        never rewritten in place (see store.disk.segments) (ITEMS_SCHEMA)
    state.json          user state snapshot: tags, read marks, saved searches, history
                        (TinyDB tables)                               (STATE_SCHEMA)
    journal.jsonl       user operations since that snapshot, one fsynced line each
    backups/            the last five state snapshots, items.prev.json (the items
                        before the latest write), torn journal tails
    index.bin           the search index: a cache, rebuilt when stale (INDEX_FORMAT)
    tree.json           the topic tree's counts: a cache          (TREE_CACHE_FORMAT)
    feeds.json          the feed subscriptions (user state: atomic, merged by url)
    subjects.json       the discovered subjects' model (derived; rebuilt by retopic)
    topics.toml         the store's own topic rules (``init --empty`` writes an empty one)
    lock                the cross-process write lock (flock; reads never take it)

Also the default locations: ``NEWSDESK_STORE`` and ``NEWSDESK_CONFIG_DIR`` override
the platform defaults, so scripts and tests never touch a user's real data.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

ITEMS_FILE = "items.json"
SEGMENT_DIR = "items"
SEGMENT_ITEMS = 5000
"""Items in one sealed segment: an import rewrites at most the tail (fewer than this)
and the segments whose items it changed, whatever the size of the store."""
ITEMS_TABLE, META_TABLE = "items", "_meta"
"""The two tables of items.json (a sealed segment has only ``items``)."""
STATE_FILE = "state.json"
JOURNAL_FILE = "journal.jsonl"
BACKUP_DIR = "backups"
PREVIOUS_ITEMS = "items.prev.json"
"""In backups/: the items file as it was before the latest write (see AtomicJSONStorage)."""
V1_ITEMS = "items.v1.json"
"""In backups/: items.json as it was before its conversion to segments."""
INDEX_FILE = "index.bin"
INDEX_MORE = "index.more.json"
"""The index's later parts: the files ``index-*.bin`` that imports added since index.bin
was written whole, and the items signature they bring it to (see store.search.cache)."""
TREE_CACHE = "tree.json"
LOCK_FILE = "lock"
FEEDS_FILE = "feeds.json"
SUBJECTS_FILE = "subjects.json"
STORE_RULES = "topics.toml"
"""The store's own topic rules, used instead of the shipped seed rules."""

DATA_FILES = (ITEMS_FILE, STATE_FILE, JOURNAL_FILE, LOCK_FILE)
"""Files that hold what a user cannot get back: refused when they are links."""
CACHES = frozenset({INDEX_FILE, INDEX_MORE, TREE_CACHE})
"""Files rebuilt from the data whenever they are missing, stale or damaged."""

ITEMS_SCHEMA = 2  # items.json's _meta.schema: a newer one is refused, never rewritten
SEGMENTED_SCHEMA = 2  # the first that may name sealed segments (1: every item in items.json)
STATE_SCHEMA = 1  # state.json's _meta.schema
INDEX_FORMAT = 2  # index.bin's format (2: free text holds only the title and text)
TREE_CACHE_FORMAT = 2  # tree.json's format (2: with subjects)


def default_store_dir() -> Path:
    """The store used when no ``--store`` is given."""
    env = os.environ.get("NEWSDESK_STORE")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path  # here: ~10 ms a command with --store pays not

    return user_data_path("newsdesk") / "store"


def config_dir() -> Path:
    """Where the user's settings and topic rules live."""
    env = os.environ.get("NEWSDESK_CONFIG_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_path

    return user_config_path("newsdesk")


def user_topics_file() -> Path:
    """The user's topic rules, which extend or override the shipped ones."""
    return config_dir() / "topics.toml"


def items_size(root: Path) -> int:
    """The size of a store's items in bytes (about 850 an item: items.json and its
    segments): how long loading them takes, which decides whether the TUI reads them
    before its first frame."""
    total = 0
    with contextlib.suppress(OSError):
        total += (Path(root) / ITEMS_FILE).stat().st_size
    with contextlib.suppress(OSError):
        for entry in os.scandir(Path(root) / SEGMENT_DIR):
            if entry.name.startswith("seg-"):
                total += entry.stat().st_size
    return total
