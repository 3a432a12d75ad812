"""User state: tags, read marks, saved searches and undo history — apart from content.

As notmuch keeps tags in its database and not in the mail, newsdesk keeps what a
user did apart from what was imported: tagging never rewrites ``items.json``.

On disk::

    state.json      a snapshot (TinyDB tables: _meta, tags, read, saved, history)
    journal.jsonl   operations since the snapshot, one fsynced line each
    backups/        copies of the last five snapshots (the newest = state.json)

Every change is an *operation* with its effective delta ("add follow-up to these
ids that lacked it"), appended under the store lock after replaying what other
processes appended. Two sessions therefore merge by operation, never by
overwriting each other's items. Undo appends the inverse delta; redo re-applies.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from store.disk.atomic import (
    AtomicJSONStorage,
    StoreLock,
    atomic_write,
    dumps,
    file_signature,
    is_writable,
    make_dir,
    remove_temp_files,
)
from store.disk.layout import BACKUP_DIR, JOURNAL_FILE, STATE_FILE, STATE_SCHEMA
from store.errors import ReadOnlyStoreError, StoreError, StoreFormatError, StoreWriteError
from store.model import now_iso
from store.state.journal import BadLine, Record, append_records, forward_problem, read_journal
from store.state.sessions import close_session, open_session, pick
from store.state.tagnames import tag_key
from store.state.torntail import TornTail, keep_torn_tail, torn_size

BACKUPS_KEPT = 5
HISTORY_DEPTH = 500
CHANGE_LOG = 256
"""Records whose changed ids are kept for views that recount incrementally."""
COMPACT_BYTES = 4 << 20
"""Fold the journal into a snapshot once it is this big…"""
SNAPSHOT_EVERY = 24 * 3600
"""…or once its oldest operation is this many seconds old (one backup a day of use)."""

Delta = dict[str, list[str]]  # tag name -> item ids


def default_author() -> str:
    """Who is acting, for per-user undo: ``user@host``."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    if hasattr(os, "uname"):  # socket.gethostname's answer, without importing socket
        return f"{user}@{os.uname().nodename}"
    import socket

    return f"{user}@{socket.gethostname()}"


@dataclass
class History:
    """One author's undo and redo stacks (records, newest last)."""

    undo: list[Record] = field(default_factory=list)
    redo: list[Record] = field(default_factory=list)


@dataclass
class UserState:
    """The in-memory user state, rebuilt by replaying operations."""

    tags: dict[str, list[str]] = field(default_factory=dict)
    spelling: dict[str, str] = field(default_factory=dict)
    read: set[str] = field(default_factory=set)
    saved: dict[str, str] = field(default_factory=dict)
    history: dict[str, History] = field(default_factory=dict)
    seq: int = 0
    changes: list[tuple[int, frozenset[str]]] = field(default_factory=list, repr=False,
                                                      compare=False)
    """(seq, ids) of the latest records that changed tags or read marks, oldest first."""
    changes_from: int = field(default=0, repr=False, compare=False)
    """``changed_since`` can answer for any seq from this one on."""
    _keys: dict[str, set[str]] = field(default_factory=dict, repr=False, compare=False)
    """Per item, the keys of its tags: built on first use, kept in step by ``apply``, so
    checking a tag costs the same on an item with 1,000 tags as on one with two."""

    def _key_set(self, item_id: str) -> set[str]:
        keys = self._keys.get(item_id)
        if keys is None:
            keys = self._keys[item_id] = {tag_key(t) for t in self.tags.get(item_id, ())}
        return keys

    def has_tag(self, item_id: str, name: str) -> bool:
        return tag_key(name) in self._key_set(item_id)

    def display(self, name: str) -> str:
        """The first spelling a tag was given (tags are unique ignoring case)."""
        return self.spelling.get(tag_key(name), name)

    def apply(self, record: Record) -> set[str]:
        """Apply one record; returns the ids whose state changed."""
        self.seq = max(self.seq, int(record.get("seq", 0)))
        kind = record.get("kind")
        changed: set[str] = set()
        if kind == "tags":
            dropping: dict[str, set[str]] = {}  # item -> keys; each list is rebuilt once
            for name, ids in (record.get("remove") or {}).items():
                key = tag_key(name)
                for item_id in ids:
                    if key in self._key_set(item_id):
                        dropping.setdefault(item_id, set()).add(key)
            for item_id, keys in dropping.items():
                kept = [t for t in self.tags[item_id] if tag_key(t) not in keys]
                changed.add(item_id)
                self._key_set(item_id).difference_update(keys)
                if kept:
                    self.tags[item_id] = kept
                else:
                    del self.tags[item_id]
                    del self._keys[item_id]
            for name, ids in (record.get("add") or {}).items():
                key = tag_key(name)
                shown = self.spelling.setdefault(key, name)
                for item_id in ids:
                    keys = self._key_set(item_id)
                    if key not in keys:
                        keys.add(key)
                        self.tags.setdefault(item_id, []).append(shown)
                        changed.add(item_id)
            self._track(record)
        elif kind == "read":
            for item_id in record.get("read") or ():
                if item_id not in self.read:
                    self.read.add(item_id)
                    changed.add(item_id)
            for item_id in record.get("unread") or ():
                if item_id in self.read:
                    self.read.discard(item_id)
                    changed.add(item_id)
            if record.get("label"):  # a labelled read mark ("mark all read") is undoable
                self._track(record)
        elif kind == "saved":
            for name in record.get("delete") or ():
                self.saved.pop(name, None)
            self.saved.update(record.get("set") or {})
        if changed:
            self.changes.append((self.seq, frozenset(changed)))
            if len(self.changes) > CHANGE_LOG:
                self.changes_from = self.changes.pop(0)[0]
        return changed

    def changed_since(self, seq: int) -> set[str] | None:
        """The ids whose tags or read mark changed after ``seq`` (a past ``self.seq``),
        or None when that is too long ago to tell: then anything may have changed.
        Lets the tree recount a tag operation's items instead of every tagged item."""
        if seq < self.changes_from:
            return None
        out: set[str] = set()
        for at, ids in reversed(self.changes):
            if at <= seq:
                break
            out |= ids
        return out

    def _track(self, record: Record) -> None:
        """Keep the author's undo and redo stacks in step. An entry remembers the session
        that may take it next (``store.state.sessions``): the undoer owns the redo."""
        history = self.history.setdefault(str(record.get("by", "")), History())
        session = record.get("session")
        if "undo_of" in record:
            target = record["undo_of"]
            history.undo = [r for r in history.undo if r["seq"] != target]
            original = record.get("original")
            if original:
                entry = {k: v for k, v in original.items() if k != "session"}
                history.redo.append({**entry, "session": session} if session else entry)
        elif "withdraw_of" in record:  # an operation whose import failed: not a user edit
            target = record["withdraw_of"]
            history.undo = [r for r in history.undo if r["seq"] != target]
            return
        elif "redo_of" in record:
            target = record["redo_of"]
            history.redo = [r for r in history.redo if r["seq"] != target]
            history.undo.append(_forward(record))
        else:
            history.undo.append(_forward(record))
            # a new edit ends what this session could redo (another session's stays)
            history.redo = [r for r in history.redo if r.get("session") != session]
        del history.undo[:-HISTORY_DEPTH]
        del history.redo[:-HISTORY_DEPTH]

    # -- deltas --------------------------------------------------------------------

    def effective(self, add: Mapping[str, Iterable[str]],
                  remove: Mapping[str, Iterable[str]]) -> tuple[Delta, Delta]:
        """Keep only the parts of a change that would change something."""
        eff_remove: Delta = {}
        for name, ids in remove.items():
            hit = [i for i in dict.fromkeys(ids) if self.has_tag(i, name)]
            if hit:
                eff_remove[self.display(name)] = hit
        eff_add: Delta = {}
        removed = {(tag_key(n), i) for n, ids in eff_remove.items() for i in ids}
        for name, ids in add.items():
            shown = self.display(name)
            hit = [i for i in dict.fromkeys(ids)
                   if (tag_key(name), i) in removed or not self.has_tag(i, name)]
            if hit:
                eff_add.setdefault(shown, []).extend(hit)
        return eff_add, eff_remove


def _forward(record: Record) -> Record:
    """What history keeps of a record: enough to undo or redo it."""
    entry = {"seq": record["seq"], "label": record.get("label", ""),
             "add": record.get("add") or {}, "remove": record.get("remove") or {}}
    for key in ("read", "unread"):  # an undoable read mark
        if record.get(key):
            entry[key] = record[key]
    if record.get("session"):
        entry["session"] = record["session"]
    return entry


def _read_change(state: UserState, target: Mapping[str, Any], undo: bool) -> Record:
    """The read marks that undo (or redo) the history entry ``target``: only the ones
    that would change now."""
    marked, cleared = target.get("read") or [], target.get("unread") or []
    if undo:
        marked, cleared = cleared, marked
    return {"kind": "read", "read": [i for i in marked if i not in state.read],
            "unread": [i for i in cleared if i in state.read]}


def snapshot_state(data: dict[str, Any] | None, path: Path) -> UserState:
    """The user state a snapshot file's tables hold; StoreFormatError naming ``path``
    when they are not newsdesk state (checked whole before anything is used)."""
    state = UserState()
    if data is None:
        return state
    try:
        meta = data["_meta"]["1"]
        if not isinstance(meta.get("schema"), int):
            raise KeyError("schema")
    except (KeyError, TypeError, AttributeError) as exc:
        raise StoreFormatError(path,
                               "it has no schema version, so it is not newsdesk state") from exc
    if meta["schema"] > STATE_SCHEMA:
        raise StoreFormatError(
            path,
            f"it was written by a newer newsdesk (schema {meta['schema']}; this version "
            f"reads up to {STATE_SCHEMA})", "Upgrade newsdesk to open it.")
    try:
        state.seq = int(meta.get("seq", 0))
        spelling = meta.get("spelling", {})
        _expect(isinstance(spelling, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in spelling.items()),
            "_meta.spelling is not a table of names")
        state.spelling = dict(spelling)
        for doc in data.get("tags", {}).values():
            _expect(isinstance(doc["id"], str) and _is_names(doc["tags"]),
                    "a 'tags' entry is not an id with a list of tag names")
            state.tags[doc["id"]] = list(doc["tags"])
        for doc in data.get("read", {}).values():
            _expect(_is_names(doc["ids"]), "the 'read' table is not a list of ids")
            state.read.update(doc["ids"])
        for doc in data.get("saved", {}).values():
            _expect(isinstance(doc["name"], str) and isinstance(doc["query"], str),
                    "a 'saved' entry is not a name with a query")
            state.saved[doc["name"]] = doc["query"]
        for doc in data.get("history", {}).values():
            undo, redo = doc["undo"], doc["redo"]
            _expect(isinstance(doc["author"], str) and isinstance(undo, list)
                    and isinstance(redo, list), "a 'history' entry has the wrong shape")
            for entry in (*undo, *redo):
                problem = forward_problem(entry)
                _expect(problem is None, str(problem))
            state.history[doc["author"]] = History(list(undo), list(redo))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        detail = str(exc) if isinstance(exc, _ShapeError) else repr(exc)
        raise StoreFormatError(path, f"a table has the wrong shape ({detail})") from exc
    return state


class _ShapeError(ValueError):
    """A snapshot table that parses but does not hold what newsdesk wrote."""


def _expect(ok: bool, problem: str) -> None:
    if not ok:
        raise _ShapeError(problem)


def _is_names(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def backup_paths(root: Path) -> list[Path]:
    """The state snapshots kept in ``backups/``, oldest first."""
    folder = Path(root) / BACKUP_DIR
    if folder.is_symlink() or not folder.is_dir():
        return []
    return sorted(folder.glob("state.*.json"))


class StateFiles:
    """The user-state files of one store folder, shared safely between processes.

    ``readonly`` (default: the folder is not writable, see ``storage.is_writable``)
    makes every change raise ReadOnlyStoreError before anything is touched.
    """

    def __init__(self, root: Path, lock: StoreLock, author: str | None = None, *,
                 readonly: bool | None = None) -> None:
        self.root = Path(root)
        self.lock = lock
        self.author = author or default_author()
        self.readonly = not is_writable(self.root) if readonly is None else readonly
        self.state_path = self.root / STATE_FILE
        self.journal_path = self.root / JOURNAL_FILE
        self._storage = AtomicJSONStorage(self.state_path, kind="state")
        self.state = UserState()
        self._snapshot_sig: object = None
        self._offset = 0
        self._inode: int | None = None
        self._line = 1
        self.bad: list[BadLine] = []
        """Damaged journal lines skipped by the last load (and syncs since)."""
        self.missing: tuple[int, int] | None = None
        """Operations (first, last) that neither the snapshot nor the journal holds."""
        self._journal_since: str | None = None
        self._compact_after = COMPACT_BYTES
        self._retry_snapshot_at = 0.0
        self.reloads = 0
        """How many times the state was rebuilt from the files (part of the revision)."""
        self.torn: TornTail | None = None
        """A torn last journal line this process kept in backups/ and cut off."""
        self.session: str | None = None
        """This session's id (``start_session``): undo then takes only its own operations,
        or those of sessions that are gone. None (the CLI): those of gone sessions."""

    @property
    def bad_lines(self) -> int:
        """How many journal lines were skipped as damaged."""
        return len(self.bad)

    def problems(self) -> list[str]:
        """What the last load found wrong but could work around, in plain words."""
        out = [f"{self.journal_path}:{b.line}: skipped a damaged line ({b.reason}); the "
               "lines after it still count" for b in self.bad]
        if self.missing:
            first, last = self.missing
            ops = f"operation {first}" if first == last else f"operations {first}–{last}"
            out.append(f"{self.state_path}: {ops} are in neither the snapshot nor the journal "
                       "(the snapshot was deleted or replaced by an older copy?); "
                       "`newsdesk doctor --restore` restores the newest backup")
        if self.torn is not None:
            out.append(str(self.torn))
        return out

    def start_session(self) -> str:
        """Begin a session (the TUI does, on start): see ``store.state.sessions``."""
        self.session = open_session()
        return self.session

    def end_session(self) -> None:
        """End the session: what it did can be undone by the next one."""
        close_session(self.session)
        self.session = None

    # -- reading -------------------------------------------------------------------

    def load(self) -> None:
        """Read the snapshot and replay the journal after it."""
        state = self._read_snapshot()
        self._snapshot_sig = file_signature(self.state_path)
        journal = read_journal(self.journal_path)
        self.missing = None
        self._journal_since = None
        state.changes_from = state.seq  # what the snapshot changed is not logged
        for record in journal.records:
            if record["seq"] > state.seq:
                if record["seq"] > state.seq + 1 and self.missing is None:
                    self.missing = (state.seq + 1, record["seq"] - 1)
                if self._journal_since is None:
                    self._journal_since = str(record.get("at", ""))
                state.apply(record)
        self.state = state
        self._offset, self._inode, self._line = journal.offset, journal.inode, journal.line
        self.bad = list(journal.bad)
        if self.bad:
            self.missing = None  # the damaged lines are where the missing operations went
        self.reloads += 1
        if journal.torn:
            self._keep_torn_tail(locked=False)

    def sync(self) -> set[str] | None:
        """Catch up with other processes: the ids that changed, or None if everything
        may have (the snapshot was replaced). Cheap when nothing happened: two stats."""
        if file_signature(self.state_path) != self._snapshot_sig:
            self.load()
            return None
        try:
            st = os.stat(self.journal_path)
        except FileNotFoundError:
            return set()
        if st.st_ino == self._inode and st.st_size == self._offset:
            return set()
        if st.st_ino != self._inode and self._inode is not None:
            self.load()
            return None
        journal = read_journal(self.journal_path, self._offset, self._inode, self._line)
        changed: set[str] = set()
        for record in journal.records:
            if record["seq"] > self.state.seq:
                if self._journal_since is None:
                    self._journal_since = str(record.get("at", ""))
                changed |= self.state.apply(record)
        self._offset, self._inode, self._line = journal.offset, journal.inode, journal.line
        self.bad.extend(journal.bad)
        return changed

    def _read_snapshot(self) -> UserState:
        return snapshot_state(self._storage.read(), self.state_path)

    # -- writing -------------------------------------------------------------------

    def commit(self, make: Callable[[UserState], Record | None]) -> Record | None:
        """Build a record against the latest state and append it durably.

        ``make`` sees the state after catching up with every other process, so
        the delta it computes is exact; it returns None when there is nothing to do.
        Once the record is appended the operation is done: a compaction that fails
        afterwards (disk full) is retried later and never reported as its failure.
        """
        if self.readonly:
            raise ReadOnlyStoreError(self.root)
        with self.lock.hold():
            self.sync()
            if self._journal_position()[0] > self._offset:  # under the lock: torn
                self._keep_torn_tail(locked=True)
            record = make(self.state)
            if record is None:
                return None
            record = {"seq": self.state.seq + 1, "at": now_iso(), "by": self.author, **record}
            if self.session is not None:
                record["session"] = self.session
            append_records(self.journal_path, [record])
            self.state.apply(record)
            if self._journal_since is None:
                self._journal_since = record["at"]
            self._offset, self._inode = self._journal_position()
            self._line += 1
            if self._offset > self._compact_after or self._snapshot_due():
                try:
                    self.compact()
                except StoreWriteError:
                    # Try again after another quarter of the threshold or an hour, not
                    # on every tag.
                    self._compact_after = self._offset + COMPACT_BYTES // 4
                    self._retry_snapshot_at = time.monotonic() + 3600
        return record

    def _keep_torn_tail(self, locked: bool) -> None:
        """Keep a torn last journal line in backups/ and cut it (see store.state.torntail).
        Unlocked (while loading) only if the lock is free right now: a writer holding
        it may be mid-append, and the next change does it under the lock anyway."""
        if self.readonly:
            self.torn = TornTail(self.journal_path, torn_size(self.journal_path), None)
            return
        try:
            if locked:
                torn = keep_torn_tail(self.journal_path, self.root / BACKUP_DIR)
            else:
                with StoreLock(self.lock.path, timeout=0.0).hold():
                    torn = keep_torn_tail(self.journal_path, self.root / BACKUP_DIR)
        except StoreError:
            return  # busy, or the copy cannot be written: nothing was cut, try next time
        if torn is not None:
            self.torn = torn

    def _snapshot_due(self) -> bool:
        """A day's worth of operations lives only in the journal: time for a snapshot
        (and so a backup), so backups/ holds one version per day of use."""
        since = self._journal_since
        if not since or time.monotonic() < self._retry_snapshot_at:
            return False
        cutoff = datetime.now(UTC) - timedelta(seconds=SNAPSHOT_EVERY)
        return since < cutoff.strftime("%Y-%m-%dT%H:%M:%SZ")

    def _journal_position(self) -> tuple[int, int | None]:
        try:
            st = os.stat(self.journal_path)
        except FileNotFoundError:
            return 0, None
        return st.st_size, st.st_ino

    def compact(self) -> None:
        """Fold the journal into a new snapshot, keeping the last five snapshots.

        Each snapshot is written to ``backups/`` first, then over ``state.json``: a
        crash between the two leaves a backup and the journal that still holds every
        operation, and the newest backup always equals the current snapshot, so a
        damaged ``state.json`` is restored without losing anything.
        """
        if self.readonly:
            raise ReadOnlyStoreError(self.root)
        with self.lock.hold():
            self.sync()
            if self.bad:
                self._keep_damaged_journal()
            tables = self._snapshot_tables()
            self._backup(tables)
            self._storage.write(tables)
            # The snapshot holds every record now; a crash before the next line
            # only leaves records that load() skips by their seq.
            atomic_write(self.journal_path, b"")
            self._snapshot_sig = file_signature(self.state_path)
            self._offset, self._inode = self._journal_position()
            self._line = 1
            self.bad, self.missing, self._journal_since = [], None, None
            self._compact_after = COMPACT_BYTES
            remove_temp_files(self.root)
            remove_temp_files(self.root / BACKUP_DIR)

    def _backup_folder(self) -> Path:
        folder = self.root / BACKUP_DIR
        if folder.is_symlink():
            raise StoreWriteError(folder, "it is a symbolic link, and newsdesk never writes "
                                  "through one (make it a real folder)")
        make_dir(folder)
        return folder

    def _backup(self, tables: dict[str, Any]) -> None:
        folder = self._backup_folder()
        # A snapshot written before backups were taken this way has no copy yet.
        current = self._storage.read()
        if current is not None:
            seq = int(current["_meta"]["1"].get("seq", 0))
            kept = folder / f"state.{seq:012d}.json"
            if not kept.exists():
                atomic_write(kept, self.state_path.read_bytes())
        # Copies, never hard links: a tool that rewrites state.json in place
        # (``> state.json``) would damage a linked backup along with it.
        atomic_write(folder / f"state.{self.state.seq:012d}.json", dumps(tables))
        for path in backup_paths(self.root)[:-BACKUPS_KEPT]:
            with contextlib.suppress(OSError):
                path.unlink()

    def _keep_damaged_journal(self) -> None:
        """Copy a journal with damaged lines into backups/ before folding it away."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = self._backup_folder() / f"journal.damaged-{stamp}.jsonl"
        if not target.exists():
            atomic_write(target, self.journal_path.read_bytes())

    def _snapshot_tables(self) -> dict[str, Any]:
        s = self.state
        numbered = lambda docs: {str(n): d for n, d in enumerate(docs, 1)}  # noqa: E731
        return {
            "_meta": {"1": {"schema": STATE_SCHEMA, "seq": s.seq, "spelling": s.spelling}},
            "tags": numbered({"id": i, "tags": t} for i, t in s.tags.items()),
            "read": {"1": {"ids": sorted(s.read)}},
            "saved": numbered({"name": n, "query": q} for n, q in s.saved.items()),
            "history": numbered({"author": a, "undo": h.undo, "redo": h.redo}
                                for a, h in s.history.items()),
        }

    # -- operations ----------------------------------------------------------------

    def change_tags(self, plan: Callable[[UserState], tuple[Delta, Delta]],
                    label: str) -> Record | None:
        """Add and remove tags as one undoable operation.

        ``plan`` returns (add, remove), each tag name -> ids, computed from the state
        as it is under the lock, so a rename sees tags another session just added.
        """
        def make(state: UserState) -> Record | None:
            eff_add, eff_remove = state.effective(*plan(state))
            if not eff_add and not eff_remove:
                return None
            return {"kind": "tags", "label": label, "add": eff_add, "remove": eff_remove}
        return self.commit(make)

    def undo(self) -> Record | None:
        """Undo this session's latest operation, else (nothing of its own left) the
        latest of a session that is gone; None when there is nothing to undo."""
        def make(state: UserState) -> Record | None:
            history = state.history.get(self.author)
            target = pick(history.undo, self.session) if history else None
            if target is None:
                return None
            if "read" in target or "unread" in target:
                return {**_read_change(state, target, undo=True),
                        "label": f"undo {target['label']}", "undo_of": target["seq"],
                        "original": target}
            eff_add, eff_remove = state.effective(target["remove"], target["add"])
            return {"kind": "tags", "label": f"undo {target['label']}", "add": eff_add,
                    "remove": eff_remove, "undo_of": target["seq"], "original": target}
        return self.commit(make)

    def redo(self) -> Record | None:
        """Redo what this session (else a gone one) undid last."""
        def make(state: UserState) -> Record | None:
            history = state.history.get(self.author)
            target = pick(history.redo, self.session) if history else None
            if target is None:
                return None
            if "read" in target or "unread" in target:
                return {**_read_change(state, target, undo=False), "label": target["label"],
                        "redo_of": target["seq"]}
            eff_add, eff_remove = state.effective(target["add"], target["remove"])
            return {"kind": "tags", "label": target["label"], "add": eff_add,
                    "remove": eff_remove, "redo_of": target["seq"]}
        return self.commit(make)

    def withdraw(self, done: Record) -> Record | None:
        """Take back the tag changes of ``done`` (written just before a step that then
        failed), leaving no trace in anyone's undo history."""
        def make(state: UserState) -> Record | None:
            eff_add, eff_remove = state.effective(done.get("remove") or {},
                                                  done.get("add") or {})
            return {"kind": "tags", "label": f"withdraw {done.get('label', '')}",
                    "add": eff_add, "remove": eff_remove, "withdraw_of": done["seq"]}
        return self.commit(make)

    def set_read(self, ids: Sequence[str], read: bool, undoable: bool = False
                 ) -> Record | None:
        """Mark items read or unread. Not part of undo (reading is not an edit) unless
        ``undoable``: "mark all read" on a list is, labelled "mark N items read"."""
        count = len(set(ids))
        label = (f"mark {count} item{'s' if count != 1 else ''} {'read' if read else 'unread'}"
                 if undoable else None)

        def make(state: UserState) -> Record | None:
            todo = [i for i in dict.fromkeys(ids) if (i in state.read) != read]
            if not todo:
                return None
            record: Record = {"kind": "read", "read" if read else "unread": todo}
            if label:
                record["label"] = label
            return record
        return self.commit(make)

    def save_search(self, name: str, query: str, replaces: str | None = None) -> Record | None:
        """Save (or rename, with ``replaces``) a search."""
        def make(state: UserState) -> Record | None:
            record: Record = {"kind": "saved", "set": {name: query}}
            if replaces and replaces != name:
                record["delete"] = [replaces]
            return record
        return self.commit(make)

    def delete_search(self, name: str) -> Record | None:
        """Delete a saved search."""
        def make(state: UserState) -> Record | None:
            return {"kind": "saved", "delete": [name]} if name in state.saved else None
        return self.commit(make)
