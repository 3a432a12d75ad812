"""The Store: one folder holding a newsdesk collection.

Layout of a store folder::

    items.json     imported content (TinyDB, written at import and retopic only)
    state.json     user state snapshot: tags, read marks, saved searches, undo history
    journal.jsonl  user operations since that snapshot (see store.state.userstate)
    backups/       copies of the last five state snapshots, and items.prev.json: the
                   items.json before the latest import or retopic
    lock           the cross-process write lock (flock; never stale; reads never take it)

Content is written rarely and wholesale; user state (tags, read marks, saved
searches) lives in its own files so a tag never rewrites the imported text.
Every write takes the lock, re-reads what another process may have changed,
applies the change and replaces the file atomically.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

from tinydb import TinyDB

from store.derive.pipeline import ENTITIES_VERSION, Deriving, Reason, derive, explain, resolve_all
from store.derive.rules import TopicRules, load_rules
from store.disk.atomic import AtomicJSONStorage, StoreLock, file_signature, is_writable, make_dir
from store.disk.layout import user_topics_file
from store.disk.links import refuse_link
from store.disk.perms import secure_new_store
from store.errors import ReadOnlyStoreError, StoreError, StoreFormatError
from store.ingest.importers import ImportOptions, ImportResult, Problem, Record, read_file
from store.model import OPTIONAL_FIELDS, SCHEMA_VERSION, make_item, now_iso
from store.resources import seed_file
from store.search.cache import StateView, build_index, items_signature, load_index, update_index
from store.search.index import SearchIndex
from store.search.query import Node, parse
from store.state.journal import Record as OpRecord
from store.state.tagnames import clean_tag, is_under, tag_key
from store.state.userstate import BACKUP_DIR, StateFiles, UserState
from store.text.clean import item_id as text_id
from store.text.clean import make_title, sanitize_line

ITEMS_FILE = "items.json"
PREVIOUS_ITEMS = "items.prev.json"
"""In backups/: the items file as it was before the latest write (see AtomicJSONStorage)."""
_DERIVED = ("topics", "people", "places", "orgs")
_COMPLETE = frozenset(("title", "position", *_DERIVED))
"""Keys every loaded item has (filled in when an older file lacks them)."""
LOCK_FILE = "lock"
_ITEMS, _META = "items", "_meta"


@dataclass
class ImportReport:
    """What an import did: counts, the problems it skipped, and its warnings."""

    added: int = 0
    present: int = 0
    updated: int = 0
    update: bool = False
    """Whether this was an ``--update`` import (the summary then counts updates)."""
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        """``N added, M already present`` (and how many were updated or skipped)."""
        text = f"{self.added} added, {self.present} already present"
        if self.update:
            text += f", {self.updated} updated"
        if self.problems:
            text += f", {len(self.problems)} skipped"
        return text


ProgressCallback = Callable[[int, int, str], None]
"""Called as ``progress(done, total, stage)`` while an import works: stage "importing"
(records made into items), then "deriving" (items whose topics and entities are done)."""


class _Identities:
    """Which stored item a record is: by guid, then url, then normalized text.

    Also by id first, which covers a newsdesk export read back (its records carry
    their ids) and derived ids. Items of the running import are added as they are
    made, so a file that repeats itself is deduplicated too.
    """

    def __init__(self, table: dict[str, dict[str, Any]]) -> None:
        self.ids: dict[str, str] = {}
        self.guids: dict[str, str] = {}
        self.urls: dict[str, str] = {}
        self.texts: dict[str, str] = {}
        for doc_id, doc in table.items():
            self.add(doc_id, doc)

    def add(self, doc_id: str, doc: dict[str, Any], text_key: str | None = None) -> None:
        """Remember ``doc``; ``text_key``: ``text_id(doc["body"])`` if already known."""
        self.ids.setdefault(doc["id"], doc_id)
        if doc.get("guid"):
            self.guids.setdefault(doc["guid"], doc_id)
        if doc.get("url"):
            self.urls.setdefault(doc["url"], doc_id)
        self.texts.setdefault(text_key or text_id(doc.get("body", "")), doc_id)

    def match(self, item: dict[str, Any], text_key: str | None = None) -> str | None:
        """The document id of the stored item ``item`` duplicates, or None."""
        for index, key in ((self.ids, item["id"]), (self.guids, item.get("guid")),
                           (self.urls, item.get("url"))):
            if key and key in index:
                return index[key]
        return self.texts.get(text_key or text_id(item["body"]))


def _refreshed(current: dict[str, Any], new: dict[str, Any],
               own_title: bool) -> dict[str, Any] | None:
    """``current`` with the content of ``new`` (same id, position, import time), or
    None when the content is the same. Fields ``new`` lacks are kept, and so is a
    title the source gave when ``new`` only has one made from its text."""
    doc = dict(current)
    keep_title = not own_title and current["title"] != make_title(current["body"])
    for name in ("title", "body", *OPTIONAL_FIELDS):
        if new.get(name) and not (name == "title" and keep_title):
            doc[name] = new[name]
    if all(doc.get(name) == current.get(name) for name in ("title", "body", *OPTIONAL_FIELDS)):
        return None
    doc["source"], doc["line"] = new["source"], new["line"]
    return doc


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a block builds many objects.

    Parsing items.json makes millions of dicts, lists and strings, and the
    collector, triggered by allocations, rescans all of them again and again:
    at 100,000 items that more than doubles the parse (0.75 s -> 1.9 s here).
    JSON data holds no cycles, so reference counting frees it all the same.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def default_rules() -> TopicRules:
    """The shipped topic rules extended by the user's own file, if any."""
    return load_rules([seed_file("topics.toml"), user_topics_file()])


_TEXT_FIELDS = ("title", "source", "imported_at", "updated_at", *OPTIONAL_FIELDS)


def items_from(data: dict[str, Any] | None, path: Path) -> list[dict[str, Any]]:
    """The items an ``items.json`` holds, in original order, with defaults filled in.

    Raises StoreFormatError naming ``path`` when the data is not a newsdesk store of
    this or an older schema, or an item has the wrong shape: checked here, once,
    so no later code (the tree, the list, a sort) trips over a wrong type.
    """
    if data is None:
        raise StoreFormatError(path, "the file is missing")
    meta = data.get(_META, {}).get("1")
    if not isinstance(meta, dict) or not isinstance(meta.get("schema"), int):
        raise StoreFormatError(path, "it has no schema version, so it is not a newsdesk store")
    if meta["schema"] > SCHEMA_VERSION:
        raise StoreFormatError(
            path,
            f"it was written by a newer newsdesk (schema {meta['schema']}; this version "
            f"reads up to {SCHEMA_VERSION})",
            "Upgrade newsdesk to open it; the file has not been changed.",
        )
    table = data.get(_ITEMS)
    if not isinstance(table, dict):
        raise StoreFormatError(path, "it has no 'items' table")
    items = list(table.values())
    for doc_id, doc in table.items():
        if not (isinstance(doc, dict) and isinstance(doc.get("id"), str)
                and isinstance(doc.get("body"), str)):
            raise StoreFormatError(path, f"item {doc_id} is not an object with 'id' and 'body'")
        doc.setdefault("title", "")
        for key in _DERIVED:
            doc.setdefault(key, [])
        doc.setdefault("position", int(doc_id) if doc_id.isdigit() else 0)
        wrong = next((k for k in _TEXT_FIELDS if k in doc and not isinstance(doc[k], str)),
                     None)
        if wrong is None:
            wrong = next((k for k in _DERIVED if not isinstance(doc[k], list)
                          or not all(isinstance(v, str) for v in doc[k])), None)
        if wrong is None and (type(doc["position"]) is not int
                              or not isinstance(doc.get("line"), int | None)):
            wrong = "position" if type(doc["position"]) is not int else "line"
        if wrong is not None:
            raise StoreFormatError(path, f"item {doc_id} has a wrong {wrong!r}")
    items.sort(key=lambda d: d["position"])
    return items


class Store:
    """A newsdesk store folder: items, their topics, and (later) user state."""

    def __init__(self, root: Path, rules: TopicRules | None = None) -> None:
        self.root = Path(root)
        self.readonly = not is_writable(self.root)
        """Opened without write permission: browsing works, every change raises
        ReadOnlyStoreError, and nothing (not even the lock file) is created."""
        self.rules = rules if rules is not None else default_rules()
        self._storage_path = self.root / ITEMS_FILE
        self._db = TinyDB(self._storage_path, storage=AtomicJSONStorage, kind="items",
                          previous=self.root / BACKUP_DIR / PREVIOUS_ITEMS)
        self._storage: AtomicJSONStorage = self._db.storage  # type: ignore[assignment]
        self._lock = StoreLock(self.root / LOCK_FILE)
        self.user = StateFiles(self.root, self._lock, readonly=self.readonly)
        self.state_view = StateView(self.user)
        self._index: SearchIndex | None = None
        self._index_signature = ""
        self._items: list[dict[str, Any]] = []
        self._ids: list[str] = []
        self._ordinal: dict[str, int] = {}
        self._newest: list[str] | None = None
        self._loaded_signature: object = object()
        self.loaded = False
        """Whether the items have been read (see ``open(load=False)``)."""

    # -- opening -------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        root: str | Path,
        *,
        create: bool = True,
        seed: bool = True,
        rules: TopicRules | None = None,
        load: bool = True,
    ) -> Store:
        """Open the store at ``root``; create it (with the seed briefs) when missing.

        With ``load=False`` the items and the user state are not read yet (a 100k
        store takes a second or more): call ``finish_open`` before using them, as the
        TUI does in a worker after its first frame.

        Raises StoreError with a message for the user when it cannot be opened.
        """
        root = Path(root).expanduser()
        if root.exists() and not root.is_dir():
            raise StoreError(f"{root} is a file, not a store folder. Choose a folder for --store.")
        fresh = not (root / ITEMS_FILE).exists()
        if fresh:
            if not create:
                raise StoreError(
                    f"There is no newsdesk store at {root}. Run `newsdesk init` first."
                )
            if root.is_dir() and any(p.name != LOCK_FILE for p in root.iterdir()):
                raise StoreError(
                    f"{root} is not empty and holds no {ITEMS_FILE}, so it is not a newsdesk "
                    "store. Choose an empty or new folder for --store."
                )
            try:
                make_dir(root)
            except OSError as exc:
                raise StoreError(f"Cannot create the store folder {root}: {exc.strerror}.") from exc
            secure_new_store(root)  # 0700 whatever the umask, unless set up group-shared
        refuse_link(root / LOCK_FILE)  # the data files refuse theirs when read
        store = cls(root, rules)
        if fresh:
            store._initialise(seed)
        if load:
            store.finish_open()
        return store

    def finish_open(self) -> None:
        """Read the items and the user state, and re-derive topics if the rules changed:
        the slow part of ``open``. Raises StoreError like ``open``."""
        self.load()
        self.user.load()
        if not self.readonly and self._derived_signature() != (
                self.rules.signature, ENTITIES_VERSION):
            self.retopic()

    def _initialise(self, seed: bool) -> None:
        if self.readonly:
            raise ReadOnlyStoreError(self.root)
        with self._lock.hold():
            if self._storage.read() is not None:  # another process got here first
                return
            self._storage.write({_META: {"1": {"schema": SCHEMA_VERSION,
                                                    "rules": self.rules.signature,
                                                    "entities": ENTITIES_VERSION}},
                                 _ITEMS: {}})
        if seed:
            self.import_files([seed_file("briefs.txt")])

    # -- reading -------------------------------------------------------------------

    def load(self) -> None:
        """(Re)load the items from disk, validating the file's shape and schema."""
        with gc_paused():
            self._load()
            # The items live as long as the store: move them out of the collector's
            # sight, or its next full pass rescans millions of objects (0.3 s at 100k,
            # a visible stall in the TUI) and every later one again. Replaced items
            # are still freed: they hold no cycles, so reference counting frees them.
            gc.freeze()

    def _load(self) -> None:
        items = items_from(self._storage.read(), self._storage_path)
        self._items = items
        # One id list and one id -> ordinal map, shared with the tree (TreeIndex) and
        # the view: at 100k each costs tens of milliseconds to build, so build them once.
        self._ids = list(map(itemgetter("id"), items))
        self._ordinal = dict(zip(self._ids, range(len(items)), strict=True))
        self._newest: list[str] | None = None
        self._loaded_signature = self._storage.signature
        self.loaded = True

    def problems(self) -> list[str]:
        """What is damaged but was worked around (skipped journal lines, operations
        missing from the user state), in plain words; empty when all is well.
        The faces show these as warnings and ``newsdesk doctor`` explains them."""
        return self.user.problems()

    def refresh(self) -> bool:
        """Reload what another process changed (items or user state); True if anything did."""
        changed_state = self.user.sync()
        if file_signature(self._storage_path) == self._loaded_signature:
            return changed_state is None or bool(changed_state)
        self.load()
        return True

    def _derived_signature(self) -> tuple[str, object]:
        data = self._storage.read() or {}
        meta = data.get(_META, {}).get("1", {})
        return str(meta.get("rules", "")), meta.get("entities")

    def __len__(self) -> int:
        return len(self._items)

    @property
    def loaded_signature(self) -> str:
        """The stamp of the items.json these items were read from (as
        ``store.search.cache.items_signature`` gives it), for caches derived from them."""
        sig = self._loaded_signature
        return "-".join(str(part) for part in sig) if isinstance(sig, tuple) else "none"

    def items_size(self) -> int:
        """The size of items.json in bytes (about 850 an item): how long loading takes."""
        try:
            return self._storage_path.stat().st_size
        except OSError:
            return 0

    def items(self) -> list[dict[str, Any]]:
        """All items in original order. Treat them as read-only."""
        return self._items

    def get(self, item_id: str) -> dict[str, Any] | None:
        """The item with this id, or None."""
        n = self._ordinal.get(item_id)
        return None if n is None else self._items[n]

    def ids(self) -> list[str]:
        """All item ids in original order. Treat it as read-only (it is shared)."""
        return self._ids

    def ordinals(self) -> dict[str, int]:
        """Item id -> its place in ``items()``. Treat it as read-only (it is shared)."""
        return self._ordinal

    @property
    def has_dates(self) -> bool:
        """Whether any item has a date (then the list sorts newest first)."""
        newest = self.newest_first()
        return bool(newest) and bool(self._items[self._ordinal[newest[0]]].get("date"))

    def newest_first(self) -> list[str]:
        """Every id, newest date first, undated items last in original order (cached)."""
        if self._newest is None:
            dated = sorted((d for d in self._items if d.get("date")),
                           key=lambda d: d["date"], reverse=True)
            undated = [d for d in self._items if not d.get("date")]
            self._newest = [d["id"] for d in dated + undated]
        return self._newest

    # -- user state: tags, read marks, saved searches ------------------------------

    def tags_of(self, item_id: str) -> list[str]:
        """The item's tags, in the order they were given."""
        return self.user.state.tags.get(item_id, [])

    def is_read(self, item_id: str) -> bool:
        """Whether the item has been read."""
        return item_id in self.user.state.read

    def tag_counts(self) -> dict[str, int]:
        """Every tag in use on an item of this store, with how many items carry it."""
        counts: dict[str, int] = {}
        for item_id, tags in self.user.state.tags.items():
            if item_id in self._ordinal:
                for tag in tags:
                    counts[tag] = counts.get(tag, 0) + 1
        return counts

    def tag(self, ids: Sequence[str], add: Sequence[str] = (),
            remove: Sequence[str] = ()) -> OpRecord | None:
        """Add and remove tags on items, as one undoable operation.

        Names are checked first (TagNameError says why one is refused); a name is
        matched ignoring case, and the first spelling ever given is kept.
        Returns the record written, or None when nothing changed.
        """
        adding = [clean_tag(n) for n in add]
        removing = [clean_tag(n) for n in remove]
        ids = list(dict.fromkeys(ids))
        parts = [f"+{n}" for n in adding] + [f"-{n}" for n in removing]
        label = f"{' '.join(parts)} on {len(ids)} item{'s' if len(ids) != 1 else ''}"
        return self.user.change_tags(
            lambda state: ({n: ids for n in adding}, {n: ids for n in removing}), label)

    def rename_tag(self, old: str, new: str) -> OpRecord | None:
        """Rename a tag and everything under it (``region`` -> ``area`` also moves
        ``region/europe``); items that already carry the target simply keep it."""
        old, new = clean_tag(old), clean_tag(new)

        def plan(state: UserState) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
            add: dict[str, list[str]] = {}
            remove: dict[str, list[str]] = {}
            for item_id, tags in state.tags.items():
                for tag in tags:
                    if is_under(tag, old):
                        remove.setdefault(tag, []).append(item_id)
                        add.setdefault(new + tag[len(old):], []).append(item_id)
            return add, remove

        return self.user.change_tags(plan, f"rename {old} to {new}")

    def delete_tag(self, name: str) -> OpRecord | None:
        """Remove a tag (and the tags under it) from every item."""
        name = clean_tag(name)

        def plan(state: UserState) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
            remove: dict[str, list[str]] = {}
            for item_id, tags in state.tags.items():
                for tag in tags:
                    if is_under(tag, name):
                        remove.setdefault(tag, []).append(item_id)
            return {}, remove

        return self.user.change_tags(plan, f"delete {name}")

    def restore_tags(self, wanted: dict[str, list[str]]) -> OpRecord | None:
        """Set each listed item's tags to exactly the given ones, as one operation
        (``newsdesk tags restore``). Ids not in the store keep their tags for when
        the item is imported."""
        wanted = {i: [clean_tag(t) for t in tags] for i, tags in wanted.items()}

        def plan(state: UserState) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
            add: dict[str, list[str]] = {}
            remove: dict[str, list[str]] = {}
            for item_id, tags in wanted.items():
                keys = {tag_key(t) for t in tags}
                for tag in state.tags.get(item_id, []):
                    if tag_key(tag) not in keys:
                        remove.setdefault(tag, []).append(item_id)
                for tag in tags:
                    add.setdefault(tag, []).append(item_id)
            return add, remove

        return self.user.change_tags(plan, f"restore tags of {len(wanted)} items")

    # -- search ----------------------------------------------------------------------

    @property
    def search_index(self) -> SearchIndex | None:
        """The loaded index, if it is current (None until ``ensure_index``)."""
        if self._index is not None and self._index_signature == items_signature(self.root):
            return self._index
        return None

    def ensure_index(self) -> SearchIndex:
        """Load the cached index, or build (and cache) it from the items: ~0.25 ms an
        item, so the TUI calls this in a worker thread."""
        index = self.search_index
        if index is not None:
            return index
        signature = items_signature(self.root)
        index = load_index(self.root)
        if index is None:
            index = build_index(self.root, self._items, signature)
        self._index, self._index_signature = index, signature
        return index

    def adopt_index(self, index: SearchIndex, signature: str) -> bool:
        """Use ``index``, loaded by the caller for the items.json whose signature was
        ``signature``, if those are the items this store has read (then True). The TUI
        lists items from the index while the store loads; loading it a second time
        would map the same 90 MB (at 100k items) twice."""
        if self._index is None and self.loaded and signature == self.loaded_signature:
            self._index, self._index_signature = index, signature
            return True
        return False

    def search(self, query: str | Node, *, within: Collection[str] | None = None,
               order: str = "relevance", limit: int | None = None) -> list[str]:
        """Ids matching ``query`` (QuerySyntaxError for a malformed one), best first
        or in original order."""
        node = parse(query) if isinstance(query, str) else query
        return self._on_index(lambda index: index.search(
            node, self.state_view, within=within, order=order, limit=limit))

    def count(self, query: str | Node) -> int:
        """How many items match ``query``."""
        node = parse(query) if isinstance(query, str) else query
        return self._on_index(lambda index: index.count(node, self.state_view))

    def _on_index(self, use: Callable[[SearchIndex], Any]) -> Any:
        """Run ``use`` on the index. The cache is checksummed on load; should damage get
        past that (or a bug in it surface) as an error mid-search, rebuild it from the
        items (the source of truth) and answer from the fresh one."""
        try:
            return use(self.ensure_index())
        except Exception:  # noqa: BLE001 - any damage in a cache we can rebuild
            signature = items_signature(self.root)
            self._index = build_index(self.root, self._items, signature)
            self._index_signature = signature
            return use(self._index)

    def resolve_id(self, prefix: str) -> str:
        """The one item id starting with ``prefix`` (at least 4 characters)."""
        if prefix in self._ordinal:
            return prefix
        if len(prefix) < 4:
            raise StoreError(f"No item with id {prefix!r} (give at least 4 characters of an id).")
        found = [i for i in self._ids if i.startswith(prefix)]
        if len(found) != 1:
            what = "No item" if not found else f"{len(found)} items"
            raise StoreError(f"{what} with an id starting {prefix!r}.")
        return found[0]

    def undo(self) -> OpRecord | None:
        """Undo this user's latest tag operation; None when there is none."""
        return self.user.undo()

    def redo(self) -> OpRecord | None:
        """Redo this user's latest undone tag operation; None when there is none."""
        return self.user.redo()

    def set_read(self, ids: Sequence[str], read: bool = True, *,
                 undoable: bool = False) -> OpRecord | None:
        """Mark items read or unread; ``undoable`` (mark all read) goes into undo."""
        return self.user.set_read(ids, read, undoable)

    def saved_searches(self) -> dict[str, str]:
        """Saved searches, name -> query, in the order they were saved."""
        return self.user.state.saved

    def save_search(self, name: str, query: str, replaces: str | None = None) -> OpRecord | None:
        """Save a search under ``name`` (renaming ``replaces`` if given)."""
        name = " ".join(sanitize_line(name).split())
        if not name:
            raise StoreError("A saved search needs a name.")
        return self.user.save_search(name, query, replaces)

    def delete_search(self, name: str) -> OpRecord | None:
        """Delete the saved search ``name``."""
        return self.user.delete_search(name)

    def reasons(self, item_id: str) -> list[Reason]:
        """Why the item sits where it does: (group, node, body spans) per topic and entity."""
        item = self.get(item_id)
        return explain(item, self.rules) if item else []

    # -- writing -------------------------------------------------------------------

    def _require_writable(self) -> None:
        if self.readonly:
            raise ReadOnlyStoreError(self.root)

    def import_records(self, records: Iterable[Record], *, update: bool = False,
                       progress: ProgressCallback | None = None) -> ImportReport:
        """Add the records that are not already present, in one atomic write.

        A record is already present when it has the id, guid, url or normalized
        text of a stored item (or of an earlier record of this import). With
        ``update`` such an item gets the record's title, text, date and so on,
        keeping its id, so its tags (user state, keyed by id) stay with it.
        Tags the records carry are added afterwards as one operation, "import
        tags", to the added and updated items.
        """
        self._require_writable()
        report = ImportReport(update=update)
        records = list(records)
        # The items are derived on all cores while this loop is still making them;
        # with the collector paused (it rescanned the growing item list again and
        # again: no cycles are made here, reference counting frees what goes).
        with self._lock.hold(), gc_paused():
            to_derive = Deriving(self.rules, len(records))
            try:
                self._import_locked(records, update, progress, report, to_derive)
            finally:
                to_derive.close()
        self.refresh()
        return report

    def _import_locked(self, records: list[Record], update: bool,
                       progress: ProgressCallback | None, report: ImportReport,
                       to_derive: Deriving) -> None:
        """``import_records`` under the lock: match and make the items, derive, write."""
        data = self._storage.read() or {}
        table: dict[str, dict[str, Any]] = data.get(_ITEMS, {})
        known = _Identities(table)
        position = max((int(k) for k in table), default=0) + 1
        stamp = now_iso()
        changes: dict[str, dict[str, Any]] = {}
        import_tags: dict[str, list[str]] = {}
        for done, record in enumerate(records):
            if progress is not None and done % 500 == 0:
                progress(done, len(records), "importing")
            item = make_item(record, position, stamp)
            if not item["body"]:
                continue
            # The normalized text's hash, once: it is the id of a text-only item.
            text_only = not (record.id or item.get("guid") or item.get("url"))
            text_key = item["id"] if text_only else text_id(item["body"])
            doc_id = known.match(item, text_key)
            if doc_id is None:
                to_derive.add(item)
                doc_id = str(position)
                changes[doc_id] = item
                known.add(doc_id, item, text_key)
                position += 1
                report.added += 1
            elif update and doc_id in table:
                current = changes.get(doc_id, table[doc_id])
                fresh = _refreshed(current, item, bool(record.title and record.title.strip()))
                if fresh is None:
                    report.present += 1
                else:
                    if fresh["body"] != current["body"]:
                        to_derive.add(fresh)
                    fresh["updated_at"] = stamp
                    if doc_id not in changes:
                        report.updated += 1
                    changes[doc_id] = fresh
                    known.add(doc_id, fresh)
            else:
                report.present += 1
                if doc_id not in changes:
                    continue  # already stored, not updating: leave its tags alone
            target = (changes.get(doc_id) or table[doc_id])["id"]
            for tag in record.tags:
                import_tags.setdefault(tag, []).append(target)
        if progress is not None:
            progress(len(records), len(records), "importing")
        if changes:
            to_derive.finish(None if progress is None else (
                lambda done, total: progress(done, total, "deriving")))
            merged = {**table, **changes}
            resolve_all(merged.values())
        # The tags go to the journal BEFORE the items are written: tags of ids
        # not in items.json are invisible, so a crash in between shows neither;
        # writing them after would leave visible items without their tags.
        tags_record = self.add_import_tags(import_tags) if import_tags else None
        if changes:
            before = items_signature(self.root)
            try:
                self._storage.write({**data, _ITEMS: merged})
            except BaseException:
                if tags_record is not None:  # best effort: the disk may be full
                    with contextlib.suppress(StoreError):
                        self.user.withdraw(tags_record)
                raise
            if not report.updated:  # only additions: extend the search cache
                update_index(self.root, before, [changes[k] for k in sorted(
                    changes, key=int)])

    def add_import_tags(self, tags: dict[str, list[str]]) -> OpRecord | None:
        """Add tags that came with imported items (tag name -> ids) as ONE undoable
        operation labelled "import tags"; names are checked like any tag."""
        wanted: dict[str, list[str]] = {}
        for name, ids in tags.items():
            wanted.setdefault(clean_tag(name), []).extend(ids)
        count = len({i for ids in wanted.values() for i in ids})
        label = f"import tags on {count} item{'s' if count != 1 else ''}"
        return self.user.change_tags(lambda state: (wanted, {}), label)

    def import_results(self, results: Iterable[ImportResult], *, update: bool = False,
                       progress: ProgressCallback | None = None) -> ImportReport:
        """Import what the importers read (one write for all of it); their problems
        and warnings go into the report, the valid records still land."""
        records: list[Record] = []
        problems: list[Problem] = []
        warnings: list[Problem] = []
        for result in results:
            records.extend(result.records)
            problems.extend(result.problems)
            warnings.extend(result.warnings)
        if records:
            report = self.import_records(records, update=update, progress=progress)
        else:
            report = ImportReport(update=update)
        report.problems = problems + report.problems
        report.warnings = warnings + report.warnings
        return report

    def import_files(self, paths: Sequence[str | Path], options: ImportOptions | None = None,
                     *, update: bool = False,
                     progress: ProgressCallback | None = None) -> ImportReport:
        """Import every file; problems are collected, the valid records still land."""
        return self.import_results((read_file(p, options) for p in paths), update=update,
                                   progress=progress)

    def retopic(self) -> int:
        """Re-derive every item's topics from the current rules (and its entities, when
        the extractor changed); returns how many items changed.

        Only derived fields are touched: tags and the imported text stay as they are.
        """
        self._require_writable()
        with self._lock.hold():
            data = self._storage.read() or {}
            meta = data.setdefault(_META, {}).setdefault("1", {"schema": SCHEMA_VERSION})
            redo_entities = meta.get("entities") != ENTITIES_VERSION
            docs = list(data.get(_ITEMS, {}).values())
            before = [[doc.get(k) for k in _DERIVED] for doc in docs]
            if redo_entities:  # entities are most of the work: on every core, as import
                deriving = Deriving(self.rules, len(docs))
                for doc in docs:
                    deriving.add(doc)
                deriving.finish()
                resolve_all(docs)
            else:  # topics alone: ~60 µs an item, less than starting a pool
                for doc in docs:
                    derive(doc, self.rules, with_entities=False)
            changed = sum(1 for doc, was in zip(docs, before, strict=True)
                          if [doc.get(k) for k in _DERIVED] != was)
            meta["rules"] = self.rules.signature
            meta["entities"] = ENTITIES_VERSION
            self._storage.write(data)
        self.refresh()
        return changed
