"""The Store: one folder holding a newsdesk collection.

Layout of a store folder::

    items.json     imported content (TinyDB): the newest items, and the list of
    items/         sealed segments of older ones (see store.disk.segments), written
                   at import and retopic only, each write only what it changed
    state.json     user state snapshot: tags, read marks, saved searches, undo history
    journal.jsonl  user operations since that snapshot (see store.state.userstate)
    backups/       copies of the last five state snapshots, and items.prev.json: the
                   items.json before the latest import or retopic
    feeds.json     the feeds subscribed to (see store.ingest.feeds.subscriptions)
    lock           the cross-process write lock (flock; never stale; reads never take it)

Content is written rarely and by the segment; user state (tags, read marks, saved
searches) lives in its own files so a tag never rewrites the imported text.
Every write takes the lock, re-reads what another process may have changed,
applies the change and replaces the file atomically.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from store.derive.pipeline import (
    ENTITIES_VERSION,
    Deriving,
    Reason,
    derive,
    derive_many,
    explain,
    explain_subjects,
    load_subjects,
    resolve_all,
    save_subjects,
    update_subjects,
)
from store.derive.rules import TopicRules, load_rules
from store.disk.atomic import StoreLock, atomic_write, file_signature, is_writable, make_dir
from store.disk.layout import (
    BACKUP_DIR,
    ITEMS_FILE,
    ITEMS_SCHEMA,
    LOCK_FILE,
    PREVIOUS_ITEMS,
    SEGMENT_DIR,
    SEGMENT_ITEMS,
    STORE_RULES,
    V1_ITEMS,
    user_topics_file,
)
from store.disk.links import refuse_link
from store.disk.perms import secure_new_store
from store.disk.segments import SegmentedItems, segment_list
from store.errors import ImportInterrupted, ReadOnlyStoreError, StoreError
from store.ingest.appending import Appending, write_digest
from store.ingest.dedupe import ImportReport
from store.ingest.feeds.subscriptions import Subscriptions
from store.ingest.importers import ImportOptions, ImportResult, Problem, Record, read_file
from store.ingest.planning import (
    Derived,
    ImportPlan,
    ProgressCallback,
    plan_import,
    sample_for_subjects,
)
from store.model import DERIVED as _DERIVED
from store.model import ITEMS_TABLE as _ITEMS
from store.model import META_TABLE as _META
from store.model import Item, items_from, items_streamed
from store.resources import seed_file
from store.search.cache import StateView, build_index, items_signature, load_index, update_index
from store.search.index import SearchIndex
from store.search.query import Node, parse
from store.state.actions import UserActions
from store.state.userstate import StateFiles
from store.tree import TreeIndex, save_counts, update_counts

if TYPE_CHECKING:
    from store.ingest.feeds.refresh import FeedOutcome


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


def default_rules(root: Path | None = None) -> TopicRules:
    """The store's own rules (else the shipped seed rules) and the user's file, if any."""
    own = Path(root) / STORE_RULES if root is not None else None
    first = own if own is not None and own.is_file() else seed_file("topics.toml")
    return load_rules([first, user_topics_file()])


_IMPORT_TRIES = 3
"""Imports prepared without the lock that may start again when another process wrote
items.json meanwhile; the last try holds the lock throughout."""
IMPORT_BATCH = 50_000
"""An import of more records goes in batches of this many, each written as it is made:
its memory stays that of one batch (300,000 items at once peaked at 1.6 GB)."""


class Store:
    """A newsdesk store folder: items, their topics, and (later) user state."""

    def __init__(self, root: Path, rules: TopicRules | None = None) -> None:
        self.root = Path(root)
        self.readonly = not is_writable(self.root)
        """Opened without write permission: browsing works, every change raises
        ReadOnlyStoreError, and nothing (not even the lock file) is created."""
        self.rules = rules if rules is not None else default_rules(self.root)
        self._storage_path = self.root / ITEMS_FILE
        # The items are TinyDB files (items.json and its sealed segments), read whole
        # and written by the segment through the storage alone: no query layer needed.
        self._storage = SegmentedItems(self._storage_path,
                                       previous=self.root / BACKUP_DIR / PREVIOUS_ITEMS,
                                       on_seal=write_digest)
        self._lock = StoreLock(self.root / LOCK_FILE)
        self.user = StateFiles(self.root, self._lock, readonly=self.readonly)
        self.state = UserActions(self.user, self.ordinals)
        """Tags, read marks, saved searches and undo: the user's side of the store."""
        self.feeds = Subscriptions(self.root, self._lock, readonly=self.readonly)
        """The feeds this store follows (``fetch_feeds`` brings their items in)."""
        self.state_view = StateView(self.user)
        self._index: SearchIndex | None = None
        self._index_signature = ""
        self._items: list[Item] = []
        self._ids: list[str] = []
        self._ordinal: dict[str, int] = {}
        self._newest: list[str] | None = None
        self._loaded_signature: object = object()
        self._loaded_stamp = "none"
        self.loaded = False
        """Whether the items have been read (see ``open(load=False)``)."""
        self.notes: list[str] = []
        """What opening did that the user should hear of once (a format conversion)."""

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
            if not seed:
                atomic_write(root / STORE_RULES, (
                    b"# Topic rules of this store (see seeds/topics.toml for the form). It was\n"
                    b"# made empty, so the seed's Ukraine/NATO rules do not apply here.\n"
                ))
        refuse_link(root / LOCK_FILE)  # the data files refuse theirs when read
        store = cls(root, rules)
        if fresh:
            store._initialise(seed)
        if load:
            store.finish_open()
        return store

    def finish_open(self, adopt: tuple[SearchIndex, str] | None = None) -> None:
        """Read the items and the user state, and re-derive topics if the rules changed:
        the slow part of ``open``. Raises StoreError like ``open``.

        ``adopt`` is an index the caller loaded for the items.json whose signature it
        gives: the store keeps it if those are the items it read. The TUI lists items
        from the index while the store loads; loading it a second time would map the
        same 90 MB (at 100k items) twice."""
        self._read_items()
        if not self.readonly and len(self._items) >= SEGMENT_ITEMS and not segment_list(
                self._storage.read()):
            self._convert()
        if adopt is not None and adopt[1] == self.loaded_signature:
            self._index, self._index_signature = adopt
        self.user.load()
        if not self.readonly and self._derived_signature() != (
                self.rules.signature, ENTITIES_VERSION):
            self.retopic()

    def _convert(self) -> None:
        """Seal a store from before segments (every item in items.json) into segments,
        once, keeping the old file as ``backups/items.v1.json``; ``notes`` says so."""
        with self._lock.hold():
            data = self._storage.read()
            if data is None or segment_list(data):
                return  # another process converted it meanwhile
            self._keep_v1()
            before = items_signature(self.root)
            self._storage.write(data)
            # The same items: the caches made for the old file stay good (a rebuilt index
            # costs a minute at 300,000 items; stamping it again, a second)
            after = items_signature(self.root)
            update_index(self.root, before, [])
            update_counts(self.root, before, after, [])
        self._read_items()
        self._converted(len(self._items))

    def _keep_v1(self) -> None:
        """Keep items.json as it is before its conversion (a hard link: the file is
        replaced, never written in place, so the link costs no copy)."""
        backup = self.root / BACKUP_DIR / V1_ITEMS
        make_dir(backup.parent)
        if backup.exists():
            backup.unlink()
        try:
            os.link(self._storage_path, backup)
        except OSError:
            atomic_write(backup, self._storage_path.read_bytes())

    def _converted(self, count: int) -> None:
        sealed = len(segment_list(self._storage.read()))
        self.notes.append(f"Converted items.json to the segmented layout ({sealed} sealed "
                          f"segments in {SEGMENT_DIR}/, {count:,} items); the old file is "
                          f"kept as {BACKUP_DIR}/{V1_ITEMS}.")

    def _initialise(self, seed: bool) -> None:
        if self.readonly:
            raise ReadOnlyStoreError(self.root)
        with self._lock.hold():
            if self._storage.read() is not None:  # another process got here first
                return
            self._storage.write({_META: {"1": {"schema": ITEMS_SCHEMA,
                                                    "rules": self.rules.signature,
                                                    "entities": ENTITIES_VERSION}},
                                 _ITEMS: {}})
        if seed:
            self.import_files([seed_file("briefs.txt")])

    # -- reading -------------------------------------------------------------------

    def _read_items(self) -> None:
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
        self._newest = None
        self._loaded_signature = self._storage.signature
        self._loaded_stamp = self._storage.stamp
        self.loaded = True

    def problems(self) -> list[str]:
        """What is damaged but was worked around (skipped journal lines, operations
        missing from the user state), in plain words; empty when all is well.
        The faces show these as warnings and ``newsdesk doctor`` explains them."""
        self.feeds.sync()
        return self.user.problems() + ([self.feeds.problem] if self.feeds.problem else [])

    def refresh(self) -> bool:
        """Reload what another process changed (items or user state); True if anything did."""
        changed_state = self.user.sync()
        changed_feeds = self.feeds.sync()
        if not self.loaded or file_signature(self._storage_path) == self._loaded_signature:
            # (not loaded: opened to write, the items are read when needed, not here)
            return changed_state is None or bool(changed_state) or changed_feeds
        self._read_items()
        return True

    def _derived_signature(self) -> tuple[str, object]:
        meta = (self._storage.read_head() or {}).get(_META, {}).get("1", {})
        return str(meta.get("rules", "")), meta.get("entities")

    def __len__(self) -> int:
        return len(self._items)

    @property
    def loaded_signature(self) -> str:
        """The stamp of the items.json these items were read from (as
        ``store.search.cache.items_signature`` gives it), for caches derived from them."""
        return self._loaded_stamp

    def items(self) -> list[Item]:
        """All items in original order. Treat them as read-only."""
        return self._items

    def get(self, item_id: str) -> Item | None:
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

    # -- search ----------------------------------------------------------------------

    @property
    def search_index(self) -> SearchIndex | None:
        """The loaded index, if it is current (None until ``ensure_index``)."""
        if self._index is not None and self._index_signature == items_signature(self.root):
            return self._index
        return None

    def ensure_index(self) -> SearchIndex:
        """Load the cached index, or build (and cache) it from the items: ~0.25 ms an
        item, so the TUI calls this in a worker thread. Opened with ``load=False``, the
        store is read a segment at a time for it, never whole (0.9 GB of objects at
        300,000 items), unless a conversion or re-derivation is due or it is damaged."""
        index = self.search_index
        if index is not None:
            return index
        signature = items_signature(self.root)
        index = load_index(self.root)
        if index is None and not self.loaded:
            with contextlib.suppress(StoreError):  # (the whole read says what is wrong)
                if segment_list(self._storage.read_head()) and (self.readonly or (
                        self._derived_signature() == (self.rules.signature, ENTITIES_VERSION))):
                    index = build_index(self.root, items_streamed(self._storage), signature)
            if index is None:
                self.finish_open()
                return self.ensure_index()
        if index is None:
            index = build_index(self.root, self._items, signature)
        self._index, self._index_signature = index, signature
        return index

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

    def reasons(self, item_id: str) -> list[Reason]:
        """Why the item sits where it does: (group, node, body spans) per topic and entity."""
        item = self.get(item_id)
        return explain(item, self.rules) + explain_subjects(self.root, item) if item else []

    # -- writing -------------------------------------------------------------------

    def _require_writable(self) -> None:
        if self.readonly:
            raise ReadOnlyStoreError(self.root)

    def import_records(self, records: Iterable[Record], *, update: bool = False,
                       progress: ProgressCallback | None = None,
                       reload: bool = True) -> ImportReport:
        """Add the records that are not already present, in one atomic write.

        A record is already present when it has the id, guid, url or normalized
        text of a stored item (or of an earlier record of this import). With
        ``update`` such an item gets the record's title, text, date and so on,
        keeping its id, so its tags (user state, keyed by id) stay with it.
        Tags the records carry are added afterwards as one operation, "import
        tags", to the added and updated items. ``reload=False`` leaves this Store's
        items as they were (a fetch that writes feed after feed reads them once, after).

        More than IMPORT_BATCH new records (not ``update``) go in batches, each its own
        atomic write (with its own "import tags"): an interrupted import leaves whole
        batches, and running it again adds the rest. Into a store without subjects they
        are first discovered from a sample of all the records, and every batch is filed
        under them.
        """
        self._require_writable()
        records = list(records)
        total = len(records)
        report = ImportReport(update=update)
        batch = max(total, 1) if update else IMPORT_BATCH
        earlier: set[str] = set()  # the documents this import added, batch by batch
        derived = self._subjects_from_sample(records, progress) if total > batch else {}
        for start in range(0, max(total, 1), batch):
            shown = None if progress is None else (
                lambda done, _of, stage, start=start: progress(start + done, total, stage))
            try:
                part = self._import_batch(records[start:start + batch], update, shown,
                                          earlier, derived, start)
            except KeyboardInterrupt as exc:
                if start:  # whole batches were written: say what landed
                    raise ImportInterrupted(start, total, report.added) from exc
                raise
            report.absorb(part)
        if reload:
            self.refresh()
        return report

    def _subjects_from_sample(self, records: list[Record],
                              progress: ProgressCallback | None) -> dict[int, Derived]:
        """Before the batches of a big import into a store without subjects: discover
        them from a sample of all its records (``sample_for_subjects``) and save them,
        so that every batch is filed under them. The sample's derived fields, by index."""
        if load_subjects(self.root) is not None:
            return {}
        from store.derive.subjects import DISCOVER_ITEMS, discover

        sample, derived = sample_for_subjects(records, self.rules, DISCOVER_ITEMS, None if (
            progress is None) else lambda done, total: progress(done, total, "finding subjects"))
        model = discover(sample)
        if model is not None:
            with self._lock.hold():
                if load_subjects(self.root) is None:  # (nor another session's meanwhile)
                    save_subjects(self.root, model)
        return derived

    def _import_batch(self, records: list[Record], update: bool,
                      progress: ProgressCallback | None, earlier: set[str],
                      derived: dict[int, Derived], offset: int) -> ImportReport:
        """One atomic write of ``import_records`` (records ``offset`` on of it);
        ``earlier``: the documents earlier batches of the import added (matched again,
        a record repeats one of them), to which this one adds its own; ``derived``: the
        derived fields of the records the subjects were discovered from, by index."""
        # The slow part (matching, deriving on all cores, resolving names) runs on a
        # snapshot of items.json WITHOUT the store lock, so another session's tag lands
        # at once; the lock is held only to write. Should another process have written
        # items.json meanwhile, the import starts again on its items (after a few
        # tries, under the lock, as one slice: the store must move on).
        # The collector is paused: it rescanned the growing item list again and again
        # (no cycles are made here; reference counting frees what goes).
        with gc_paused():
            for attempt in range(_IMPORT_TRIES + 1):
                last = attempt == _IMPORT_TRIES
                with self._lock.hold() if last else contextlib.nullcontext():
                    # Append, reading no sealed segment (an --update reads them all)
                    appending = None if update else self._appending()
                    data = appending.head if appending else self._storage.read() or {}
                    seen = self._storage.signature
                    if appending is not None:  # not loaded: check what is read
                        appending.check(self._storage_path)
                    elif seen != self._loaded_signature:  # not as loaded: check it first
                        items_from(data, self._storage_path)
                    report = ImportReport(update=update)
                    to_derive = Deriving(self.rules, len(records))
                    try:
                        plan = plan_import(records, data, update, progress, report,
                                           to_derive, appending, earlier, derived, offset)
                    finally:
                        to_derive.close()
                    with contextlib.nullcontext() if last else self._lock.hold():
                        if last or file_signature(self._storage_path) == seen:
                            if progress is not None:  # (subjects, then the files)
                                progress(len(records), len(records), "writing")
                            self._commit(plan, report)
                            break
        earlier.update(plan.changes)
        return report

    def _appending(self) -> Appending | None:
        """The store as an import that appends sees it, when one can: it has sealed
        segments and a subject model (else the import discovers subjects from all)."""
        model = load_subjects(self.root)
        appending = None if model is None else Appending.open(self._storage)
        if appending is not None:
            appending.model = model
        return appending

    def _commit(self, plan: ImportPlan, report: ImportReport) -> None:
        """Write what ``plan_import`` made, under the lock: subjects, tags, then items."""
        data, merged, changes, import_tags, renamed, table, appending = plan
        rediscovered = bool(changes) and update_subjects(  # (appending: with its model)
            self.root, [] if appending else list(merged.values()), list(changes.values()),
            model=appending.model if appending else None)
        # The tags go to the journal BEFORE the items are written: tags of ids
        # not in items.json are invisible, so a crash in between shows neither;
        # writing them after would leave visible items without their tags.
        tags_record = self.state.add_import_tags(import_tags) if import_tags else None
        if changes:
            before = items_signature(self.root)
            dirty = changes.keys() | renamed
            # an items.json of the old layout holding it all (this one never does)
            converting = len(data.get(_ITEMS, {})) >= SEGMENT_ITEMS and not segment_list(data)
            if converting:
                self._keep_v1()
            try:  # subjects discovered anew touch every item: then write them all
                self._storage.write({**data, _ITEMS: merged},
                                    dirty=None if rediscovered else dirty,
                                    intact=appending.intact() if appending else ())
            except BaseException:
                if tags_record is not None:  # best effort: the disk may be full
                    with contextlib.suppress(StoreError):
                        self.user.withdraw(tags_record)
                raise
            if not self.loaded:  # (no items held: the segments written need not be)
                self._storage.forget()
            if converting:
                self._converted(len(merged))
            # The tree's counts: shifted by what changed, else counted (all in memory;
            # appending, left stale: the next reader of the tree counts them)
            after = items_signature(self.root)
            shifted = not rediscovered and update_counts(
                self.root, before, after, [merged[k] for k in dirty],
                [table[k] for k in dirty if k in table])
            if not shifted and appending is None:
                save_counts(self.root, after, TreeIndex(cast("list[dict[str, Any]]",
                                                             list(merged.values()))))
            if not report.updated:  # only additions: extend the search cache
                update_index(self.root, before, [changes[k] for k in sorted(
                    changes, key=int)])

    def import_files(self, sources: Sequence[str | Path | ImportResult],
                     options: ImportOptions | None = None, *, update: bool = False,
                     progress: ProgressCallback | None = None) -> ImportReport:
        """Import every source (a file's path, or what an importer already read: stdin,
        a file read in a worker) in one write; their problems and warnings go into the
        report, the valid records still land."""
        records: list[Record] = []
        problems: list[Problem] = []
        warnings: list[Problem] = []
        notes: list[str] = []
        files = 0
        for source in sources:
            result = source if isinstance(source, ImportResult) else read_file(source, options)
            files += 1
            records.extend(result.records)
            problems.extend(result.problems)
            warnings.extend(result.warnings)
            notes.extend(result.notes)
        if records:
            report = self.import_records(records, update=update, progress=progress)
        else:
            report = ImportReport(update=update)
        report.problems = problems + report.problems
        report.warnings = warnings + report.warnings
        report.notes, report.files = notes, files
        return report

    def fetch_feeds(self, urls: Sequence[str] | None = None, *, timeout: float | None = None,
                    on_feed: Callable[[FeedOutcome], Any] | None = None,
                    cancelled: Callable[[], bool] | None = None,
                    transport: Any = None) -> list[FeedOutcome]:
        """Fetch the subscribed feeds (all, or those in ``urls``) side by side and
        import each as it answers, in a short locked write of its own; the lock is
        never held while waiting on the network. Items that come again with the same
        guid are refreshed in place (id and tags kept). Call ``refresh`` after."""
        from store.ingest.feeds.fetch import DEFAULT_TIMEOUT
        from store.ingest.feeds.refresh import refresh

        self._require_writable()
        return refresh(self.feeds, lambda records: self.import_records(
            records, update=True, reload=False), urls=urls, on_feed=on_feed,
            cancelled=cancelled, transport=transport,
            timeout=DEFAULT_TIMEOUT if timeout is None else timeout)

    def retopic(self, subjects: bool = False) -> int:
        """Re-derive every item's topics from the current rules (and its entities, when
        the extractor changed; and its subjects, discovered again, with ``subjects``);
        returns how many items changed.

        Only derived fields are touched: tags and the imported text stay as they are.
        """
        self._require_writable()
        with self._lock.hold():
            data = self._storage.read() or {}
            meta = data.setdefault(_META, {}).setdefault("1", {"schema": ITEMS_SCHEMA})
            redo_entities = meta.get("entities") != ENTITIES_VERSION
            docs = list(data.get(_ITEMS, {}).values())
            before = [[doc.get(k) for k in _DERIVED] for doc in docs]
            if redo_entities:  # entities are most of the work: on every core, as import
                derive_many(docs, self.rules)
                resolve_all(docs)
            else:  # topics alone: ~60 µs an item, less than starting a pool
                for doc in docs:
                    derive(doc, self.rules, with_entities=False)
            if subjects or (redo_entities and docs and "subjects" not in docs[0]):
                update_subjects(self.root, docs, [], rediscover=True)
            changed = sum(1 for doc, was in zip(docs, before, strict=True)
                          if [doc.get(k) for k in _DERIVED] != was)
            meta["rules"] = self.rules.signature
            meta["entities"] = ENTITIES_VERSION
            self._storage.write(data)
        self.refresh()
        return changed
