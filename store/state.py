"""User state: tags, read marks, saved searches and undo history — apart from content.

As notmuch keeps tags in its database and not in the mail, newsdesk keeps what a
user did apart from what was imported: tagging never rewrites ``items.json``.

On disk::

    state.json      a snapshot (TinyDB tables: _meta, tags, read, saved, history)
    journal.jsonl   operations since the snapshot, one fsynced line each
    backups/        the last five snapshots

Every change is an *operation* with its effective delta ("add follow-up to these
ids that lacked it"), appended under the store lock after replaying what other
processes appended. Two sessions therefore merge by operation, never by
overwriting each other's items. Undo appends the inverse delta; redo re-applies.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import socket
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from store.errors import ReadOnlyStoreError, StoreFormatError
from store.journal import Record, append_records, read_journal
from store.model import now_iso
from store.storage import AtomicJSONStorage, StoreLock, atomic_write, file_signature
from store.tagnames import tag_key

STATE_FILE = "state.json"
JOURNAL_FILE = "journal.jsonl"
BACKUP_DIR = "backups"
BACKUPS_KEPT = 5
STATE_SCHEMA = 1
HISTORY_DEPTH = 500
CHANGE_LOG = 256
"""Records whose changed ids are kept for views that recount incrementally."""
COMPACT_BYTES = 4 << 20

Delta = dict[str, list[str]]  # tag name -> item ids


def default_author() -> str:
    """Who is acting, for per-user undo: ``user@host``."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
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
    changes: list[tuple[int, frozenset[str]]] = field(default_factory=list)
    """(seq, ids) of the latest records that changed tags or read marks, oldest first."""
    changes_from: int = 0
    """``changed_since`` can answer for any seq from this one on."""

    def has_tag(self, item_id: str, name: str) -> bool:
        key = tag_key(name)
        return any(tag_key(t) == key for t in self.tags.get(item_id, ()))

    def display(self, name: str) -> str:
        """The first spelling a tag was given (tags are unique ignoring case)."""
        return self.spelling.get(tag_key(name), name)

    def apply(self, record: Record) -> set[str]:
        """Apply one record; returns the ids whose state changed."""
        self.seq = max(self.seq, int(record.get("seq", 0)))
        kind = record.get("kind")
        changed: set[str] = set()
        if kind == "tags":
            for name, ids in (record.get("remove") or {}).items():
                key = tag_key(name)
                for item_id in ids:
                    current = self.tags.get(item_id)
                    if current:
                        kept = [t for t in current if tag_key(t) != key]
                        if len(kept) != len(current):
                            changed.add(item_id)
                            if kept:
                                self.tags[item_id] = kept
                            else:
                                del self.tags[item_id]
            for name, ids in (record.get("add") or {}).items():
                shown = self.spelling.setdefault(tag_key(name), name)
                for item_id in ids:
                    if not self.has_tag(item_id, shown):
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
        history = self.history.setdefault(str(record.get("by", "")), History())
        if "undo_of" in record:
            target = record["undo_of"]
            history.undo = [r for r in history.undo if r["seq"] != target]
            original = record.get("original")
            if original:
                history.redo.append(original)
        elif "redo_of" in record:
            target = record["redo_of"]
            history.redo = [r for r in history.redo if r["seq"] != target]
            history.undo.append(_forward(record))
        else:
            history.undo.append(_forward(record))
            history.redo.clear()
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
    return {"seq": record["seq"], "label": record.get("label", ""),
            "add": record.get("add") or {}, "remove": record.get("remove") or {}}


class StateFiles:
    """The user-state files of one store folder, shared safely between processes."""

    def __init__(self, root: Path, lock: StoreLock, author: str | None = None) -> None:
        self.root = Path(root)
        self.lock = lock
        self.author = author or default_author()
        self.state_path = self.root / STATE_FILE
        self.journal_path = self.root / JOURNAL_FILE
        self._storage = AtomicJSONStorage(self.state_path, kind="state")
        self.state = UserState()
        self._snapshot_sig: object = None
        self._offset = 0
        self._inode: int | None = None
        self.bad_lines = 0
        self.reloads = 0
        """How many times the state was rebuilt from the files (part of the revision)."""

    # -- reading -------------------------------------------------------------------

    def load(self) -> None:
        """Read the snapshot and replay the journal after it."""
        state = self._read_snapshot()
        self._snapshot_sig = file_signature(self.state_path)
        journal = read_journal(self.journal_path)
        state.changes_from = state.seq  # what the snapshot changed is not logged
        for record in journal.records:
            if record["seq"] > state.seq:
                state.apply(record)
        self.state = state
        self._offset, self._inode = journal.offset, journal.inode
        self.bad_lines = journal.bad_lines
        self.reloads += 1

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
        journal = read_journal(self.journal_path, self._offset, self._inode)
        changed: set[str] = set()
        for record in journal.records:
            if record["seq"] > self.state.seq:
                changed |= self.state.apply(record)
        self._offset, self._inode = journal.offset, journal.inode
        return changed

    def _read_snapshot(self) -> UserState:
        data = self._storage.read()
        state = UserState()
        if data is None:
            return state
        try:
            meta = data["_meta"]["1"]
            if not isinstance(meta.get("schema"), int):
                raise KeyError("schema")
        except (KeyError, TypeError, AttributeError) as exc:
            raise StoreFormatError(self.state_path,
                                   "it has no schema version, so it is not newsdesk state") from exc
        if meta["schema"] > STATE_SCHEMA:
            raise StoreFormatError(
                self.state_path,
                f"it was written by a newer newsdesk (schema {meta['schema']}; this version "
                f"reads up to {STATE_SCHEMA})", "Upgrade newsdesk to open it.")
        try:
            state.seq = int(meta.get("seq", 0))
            state.spelling = dict(meta.get("spelling", {}))
            for doc in data.get("tags", {}).values():
                state.tags[str(doc["id"])] = [str(t) for t in doc["tags"]]
            for doc in data.get("read", {}).values():
                state.read.update(str(i) for i in doc["ids"])
            for doc in data.get("saved", {}).values():
                state.saved[str(doc["name"])] = str(doc["query"])
            for doc in data.get("history", {}).values():
                state.history[str(doc["author"])] = History(list(doc["undo"]),
                                                            list(doc["redo"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise StoreFormatError(self.state_path,
                                   f"a table has the wrong shape ({exc!r})") from exc
        return state

    # -- writing -------------------------------------------------------------------

    def commit(self, make: Callable[[UserState], Record | None]) -> Record | None:
        """Build a record against the latest state and append it durably.

        ``make`` sees the state after catching up with every other process, so
        the delta it computes is exact; it returns None when there is nothing to do.
        """
        if not os.access(self.root, os.W_OK):
            raise ReadOnlyStoreError(self.root)
        with self.lock.hold():
            self.sync()
            record = make(self.state)
            if record is None:
                return None
            record = {"seq": self.state.seq + 1, "at": now_iso(), "by": self.author, **record}
            append_records(self.journal_path, [record])
            self.state.apply(record)
            self._offset, self._inode = self._journal_position()
            if self._offset > COMPACT_BYTES:
                self.compact()
        return record

    def _journal_position(self) -> tuple[int, int | None]:
        try:
            st = os.stat(self.journal_path)
        except FileNotFoundError:
            return 0, None
        return st.st_size, st.st_ino

    def compact(self) -> None:
        """Fold the journal into a new snapshot, keeping the last five snapshots."""
        with self.lock.hold():
            self.sync()
            self._backup()
            self._storage.write(self._snapshot_tables())
            # The snapshot holds every record now; a crash before the next line
            # only leaves records that load() skips by their seq.
            atomic_write(self.journal_path, b"")
            self._snapshot_sig = file_signature(self.state_path)
            self._offset, self._inode = self._journal_position()

    def _backup(self) -> None:
        if not self.state_path.exists():
            return
        folder = self.root / BACKUP_DIR
        folder.mkdir(exist_ok=True)
        target = folder / f"state.{self.state.seq:012d}.json"
        with contextlib.suppress(FileExistsError):
            try:
                os.link(self.state_path, target)
            except OSError:
                atomic_write(target, self.state_path.read_bytes())
        old = sorted(folder.glob("state.*.json"))[:-BACKUPS_KEPT]
        for path in old:
            with contextlib.suppress(OSError):
                path.unlink()

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
        """Undo this author's latest operation (None when there is nothing to undo)."""
        def make(state: UserState) -> Record | None:
            history = state.history.get(self.author)
            if not history or not history.undo:
                return None
            target = history.undo[-1]
            eff_add, eff_remove = state.effective(target["remove"], target["add"])
            return {"kind": "tags", "label": f"undo {target['label']}", "add": eff_add,
                    "remove": eff_remove, "undo_of": target["seq"], "original": target}
        return self.commit(make)

    def redo(self) -> Record | None:
        """Redo this author's latest undone operation."""
        def make(state: UserState) -> Record | None:
            history = state.history.get(self.author)
            if not history or not history.redo:
                return None
            target = history.redo[-1]
            eff_add, eff_remove = state.effective(target["add"], target["remove"])
            return {"kind": "tags", "label": target["label"], "add": eff_add,
                    "remove": eff_remove, "redo_of": target["seq"]}
        return self.commit(make)

    def set_read(self, ids: Sequence[str], read: bool) -> Record | None:
        """Mark items read or unread (not part of undo: it is not an edit)."""
        def make(state: UserState) -> Record | None:
            todo = [i for i in dict.fromkeys(ids) if (i in state.read) != read]
            if not todo:
                return None
            return {"kind": "read", "read" if read else "unread": todo}
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
