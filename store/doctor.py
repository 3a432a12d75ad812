"""``newsdesk doctor``: check a store folder, explain what is wrong, restore backups.

The checks read and never write: they work on a store too damaged to open, and on
one another session is using. Each finding is ``ok``, a ``note`` (worth knowing,
nothing to do: a stale search cache, temp files a killed writer left) or a
``problem`` (something is damaged or unsafe; the exit code is then 1).

``restore_store`` is the one repair, and it never deletes: a damaged
``state.json`` (or ``items.json``) is renamed ``<name>.broken-<timestamp>`` and the
newest good backup is copied into its place, under the store lock.

What can come back: user state (tags, read marks, saved searches, undo history)
from ``backups/state.*.json``, the newest of which equals the current snapshot,
plus every journal operation after it. Imported content from
``backups/items.prev.json``, the items file as it was before the latest import or
retopic: that import is then missing and must be run again. There are no older
copies of the items: they are content the user still has (files, feeds), and
copying a large items file at every import would cost more than re-importing.
Tags are keyed by item id, and ids come from the items themselves, so
re-imported items get their tags back.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from store.disk.atomic import (
    NOFOLLOW,
    AtomicJSONStorage,
    StoreLock,
    atomic_write,
    describe_os_error,
    fsync_dir,
    is_writable,
    temp_files,
)
from store.disk.layout import ITEMS_FILE, LOCK_FILE, PREVIOUS_ITEMS, SEGMENT_DIR
from store.disk.links import PROBLEM as LINK_PROBLEM
from store.disk.links import link_advice
from store.disk.segments import SegmentedItems, segment_list
from store.errors import ReadOnlyStoreError, StoreError, StoreFormatError
from store.model import items_from
from store.state.journal import read_journal
from store.state.userstate import (
    BACKUP_DIR,
    JOURNAL_FILE,
    STATE_FILE,
    UserState,
    backup_paths,
    snapshot_state,
)

OK, NOTE, PROBLEM = "ok", "note", "problem"


@dataclass(frozen=True)
class Finding:
    """One line of the report: how bad, about what, and what it means."""

    level: str
    subject: str
    text: str


@dataclass
class DoctorReport:
    """Everything ``check_store`` found."""

    root: Path
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is a problem (notes are fine)."""
        return not any(f.level == PROBLEM for f in self.findings)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.level == PROBLEM]

    def add(self, level: str, subject: str, text: str) -> None:
        self.findings.append(Finding(level, subject, text))

    def render(self) -> str:
        """The report as the CLI prints it."""
        lines = [f"Store {self.root}"]
        for f in self.findings:
            lines.append(f"  {f.level:<8} {f.subject}: {f.text}")
        count = len(self.problems)
        if count:
            lines.append(f"{count} problem{'s' if count != 1 else ''}: see above. "
                         "`newsdesk doctor --restore` restores what backups can restore.")
        else:
            lines.append("The store is healthy.")
        return "\n".join(lines)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


# -- checks --------------------------------------------------------------------------


def check_store(root: str | Path) -> DoctorReport:
    """Check every file of the store at ``root``; never writes anything."""
    root = Path(root)
    report = DoctorReport(root)
    if not root.is_dir():
        report.add(PROBLEM, str(root), "there is no folder here" if not root.exists()
                   else "this is a file, not a store folder")
        return report
    if not (root / ITEMS_FILE).exists() and not (root / STATE_FILE).exists():
        report.add(PROBLEM, ITEMS_FILE, "missing: this folder is not a newsdesk store "
                   "(`newsdesk --store DIR init` creates one)")
        return report
    _check_items(root, report)
    state = _check_state(root, report)
    _check_journal(root, report, state)
    _check_backups(root, report)
    _check_index(root, report)
    _check_lock(root, report)
    _check_permissions(root, report)
    _check_temp_files(root, report)
    return report


def _good_previous_items(root: Path) -> Path | None:
    prev = root / BACKUP_DIR / PREVIOUS_ITEMS
    try:
        items_from(SegmentedItems(prev, folder=root / SEGMENT_DIR).read(), prev)
    except (StoreError, OSError):
        return None
    return prev


def _check_items(root: Path, report: DoctorReport) -> None:
    path = root / ITEMS_FILE
    try:
        data = SegmentedItems(path).read()
        items = items_from(data, path)
    except StoreFormatError as exc:
        name = ITEMS_FILE if exc.path.parent == root else f"{SEGMENT_DIR}/{exc.path.name}"
        if exc.problem == LINK_PROBLEM:  # not damage: nothing to restore
            report.add(PROBLEM, name, f"{exc.problem}. {exc.advice}")
            return
        prev = _good_previous_items(root)
        advice = (f"`newsdesk doctor --restore` puts back {BACKUP_DIR}/{PREVIOUS_ITEMS}, the "
                  "version before the latest import (import that file again afterwards)"
                  if prev else "there is no good earlier copy: move it aside and import your "
                  "files again; tags are kept apart and come back with the same items")
        report.add(PROBLEM, name, f"{exc.problem}; {advice}")
        return
    sealed = len(segment_list(data))
    report.add(OK, ITEMS_FILE, _plural(len(items), "item") + (
        f" ({_plural(sealed, 'sealed segment')} in {SEGMENT_DIR}/)" if sealed else ""))


def _check_state(root: Path, report: DoctorReport) -> UserState | None:
    path = root / STATE_FILE
    if not path.exists():
        report.add(OK, STATE_FILE, "no snapshot yet: the user state lives in the journal")
        return UserState()
    try:
        state = snapshot_state(AtomicJSONStorage(path, kind="state").read(), path)
    except StoreFormatError as exc:
        if exc.problem == LINK_PROBLEM:
            report.add(PROBLEM, STATE_FILE, f"{exc.problem}. {exc.advice}")
            return None
        good = _newest_good_backup(root)
        advice = (f"`newsdesk doctor --restore` puts back {BACKUP_DIR}/{good[0].name}"
                  if good else "there is no good backup to restore it from")
        report.add(PROBLEM, STATE_FILE, f"{exc.problem}; {advice}")
        return None
    report.add(OK, STATE_FILE, f"snapshot of operation {state.seq}, "
               f"{_plural(len(state.tags), 'tagged item')}")
    return state


def _check_journal(root: Path, report: DoctorReport, state: UserState | None) -> None:
    path = root / JOURNAL_FILE
    if not path.exists():
        report.add(OK, JOURNAL_FILE, "empty")
        return
    try:
        journal = read_journal(path)
        size = path.stat().st_size
    except StoreFormatError as exc:
        report.add(PROBLEM, JOURNAL_FILE, exc.problem)
        return
    except OSError as exc:
        report.add(PROBLEM, JOURNAL_FILE, f"cannot be read ({describe_os_error(exc)})")
        return
    for bad in journal.bad:
        report.add(PROBLEM, f"{JOURNAL_FILE}:{bad.line}",
                   f"damaged line ({bad.reason}): it is skipped and the lines after it still "
                   "count; the next compaction keeps a copy of the file in backups/")
    if journal.offset < size:
        report.add(NOTE, JOURNAL_FILE, "its last line is half-written (an interrupted save "
                   "that never completed); the next command copies it to backups/ and cuts "
                   "it off, and the operations before it stay")
    if state is None:
        report.add(OK if not journal.bad else NOTE, JOURNAL_FILE,
                   f"{_plural(len(journal.records), 'operation')}")
        return
    after = [r["seq"] for r in journal.records if r["seq"] > state.seq]
    expected = state.seq + 1
    for seq in after if not journal.bad else ():  # damaged lines explain their own gaps
        if seq != expected:
            missing = (f"operation {expected}" if seq - 1 == expected
                       else f"operations {expected}–{seq - 1}")
            report.add(PROBLEM, STATE_FILE,
                       f"{missing} are in neither state.json nor the journal: state.json was "
                       "deleted or replaced by an older copy; `newsdesk doctor --restore` "
                       "restores the newest backup")
            break
        expected += 1
    report.add(OK, JOURNAL_FILE, f"{_plural(len(after), 'operation')} since the snapshot")


def _newest_good_backup(root: Path, at_least: int = 0) -> tuple[Path, UserState] | None:
    for path in reversed(backup_paths(root)):
        try:
            state = snapshot_state(AtomicJSONStorage(path).read(), path)
        except (StoreError, OSError):
            continue
        if state.seq >= at_least:
            return path, state
    return None


def _check_backups(root: Path, report: DoctorReport) -> None:
    folder = root / BACKUP_DIR
    if folder.is_symlink():
        report.add(PROBLEM, BACKUP_DIR, "is a symbolic link; newsdesk never writes through "
                   "one, so no backups are being made (make it a real folder)")
        return
    paths = backup_paths(root)
    if not paths:
        report.add(NOTE, BACKUP_DIR, "no state snapshot yet (the first is made when the "
                   "journal is folded into state.json: after a day of use or 4 MB of changes)")
    good = 0
    for path in paths:
        try:
            snapshot_state(AtomicJSONStorage(path).read(), path)
        except (StoreError, OSError) as exc:
            reason = exc.problem if isinstance(exc, StoreFormatError) else str(exc)
            report.add(NOTE, f"{BACKUP_DIR}/{path.name}", f"damaged ({reason}); "
                       "newer backups are still used")
        else:
            good += 1
    if good:
        newest = _newest_good_backup(root)
        assert newest is not None
        report.add(OK, BACKUP_DIR, f"{_plural(good, 'state snapshot')}, the newest of "
                   f"operation {newest[1].seq}")
    for path in sorted(folder.glob("journal.damaged-*")) if folder.is_dir() else ():
        report.add(NOTE, f"{BACKUP_DIR}/{path.name}", "a journal kept because it had "
                   "damaged lines; delete it once you are sure nothing in it is missed")
    for path in sorted(folder.glob("journal.torn-*")) if folder.is_dir() else ():
        report.add(NOTE, f"{BACKUP_DIR}/{path.name}", "the half-written last line of a "
                   "journal, cut off after an interrupted save; delete it once you have "
                   "looked")
    prev = folder / PREVIOUS_ITEMS
    if prev.exists():
        ok = _good_previous_items(root) is not None
        report.add(OK if ok else NOTE, f"{BACKUP_DIR}/{PREVIOUS_ITEMS}",
                   "the items before the latest import" if ok else "damaged; it is replaced "
                   "at the next import")


def _check_index(root: Path, report: DoctorReport) -> None:
    try:
        from store.search.cache import INDEX_FILE, load_index
    except ImportError:  # a build without search: nothing to check
        return
    path = root / INDEX_FILE
    if not path.exists():
        return
    if load_index(root) is None:  # index.bin and its later parts, every checksum
        report.add(NOTE, INDEX_FILE, "the search cache is out of date or damaged; the next "
                   "search rebuilds it (it is safe to delete)")
    else:
        report.add(OK, INDEX_FILE, "the search cache is current")


def _check_lock(root: Path, report: DoctorReport) -> None:
    path = root / LOCK_FILE
    if not path.exists() and not path.is_symlink():
        report.add(OK, LOCK_FILE, "free (not created yet)")
        return
    try:
        fd = os.open(path, os.O_RDONLY | NOFOLLOW)
    except OSError as exc:
        report.add(PROBLEM, LOCK_FILE, f"cannot be opened ({describe_os_error(exc)})"
                   + ("; it is a symbolic link: delete it" if path.is_symlink() else ""))
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        report.add(NOTE, LOCK_FILE, "held right now by another newsdesk process that is "
                   "saving (a lock is released when its process ends, even if killed)")
    except OSError as exc:
        report.add(NOTE, LOCK_FILE, f"cannot be tried ({describe_os_error(exc)})")
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        report.add(OK, LOCK_FILE, "free")
    finally:
        os.close(fd)


def _store_files(root: Path) -> list[Path]:
    names = [ITEMS_FILE, STATE_FILE, JOURNAL_FILE, LOCK_FILE]
    files = [root / n for n in names if (root / n).exists() or (root / n).is_symlink()]
    for folder in (root / BACKUP_DIR, root / SEGMENT_DIR):
        if folder.is_dir() and not folder.is_symlink():
            files += sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    return files


def _check_permissions(root: Path, report: DoctorReport) -> None:
    if not is_writable(root):
        report.add(NOTE, "permissions", "the folder is read-only for you: browsing and search "
                   "work, changes cannot be saved")
    unsafe = []
    for path in [root, root / BACKUP_DIR, root / SEGMENT_DIR, *_store_files(root)]:
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        name = path.relative_to(root).as_posix() if path != root else "the store folder"
        if stat.S_ISLNK(st.st_mode) and path.parent == root:
            report.add(PROBLEM, name, "is a symbolic link, which newsdesk refuses to follow: "
                       + link_advice(path))
            continue
        if st.st_mode & 0o002 and not stat.S_ISLNK(st.st_mode):
            unsafe.append(name)
        elif stat.S_ISREG(st.st_mode) and not os.access(path, os.R_OK):
            report.add(PROBLEM, name, "cannot be read by you (fix its permissions)")
    if unsafe:
        report.add(PROBLEM, "permissions", f"anyone on this machine can change "
                   f"{', '.join(unsafe)} (run chmod o-w on them)")
    elif is_writable(root):
        report.add(OK, "permissions", "yours to write, not writable by others")


def _check_temp_files(root: Path, report: DoctorReport) -> None:
    leftovers = temp_files(root) + temp_files(root / BACKUP_DIR)
    if leftovers:
        names = ", ".join(p.relative_to(root).as_posix() for p in leftovers[:5])
        more = f" and {len(leftovers) - 5} more" if len(leftovers) > 5 else ""
        report.add(NOTE, "temp files", f"{names}{more}: left by a save that was interrupted "
                   "(nothing was lost: the saved files are whole); the next compaction "
                   "removes them, or delete them")


# -- restoring -----------------------------------------------------------------------


def _stamp(now: datetime | None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")


def _move_aside(path: Path, stamp: str) -> Path:
    """Rename ``path`` to ``<name>.broken-<stamp>`` (never over an existing file)."""
    target = path.with_name(f"{path.name}.broken-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.broken-{stamp}-{n}")
    os.rename(path, target)
    return target


def restore_store(root: str | Path, now: datetime | None = None) -> list[str]:
    """Restore what is damaged from the newest good backups; returns what was done,
    in plain words. Raises StoreError (read-only store, lock busy) before touching
    anything. Broken files are moved aside, never deleted or overwritten."""
    root = Path(root)
    if not root.is_dir():
        raise StoreError(f"There is no store folder at {root}.")
    if not is_writable(root):
        raise ReadOnlyStoreError(root)
    stamp = _stamp(now)
    done: list[str] = []
    with StoreLock(root / LOCK_FILE).hold():
        done += _restore_state(root, stamp)
        done += _restore_items(root, stamp)
        fsync_dir(root)
    return done or ["Nothing to restore: items.json and state.json are fine."]


def _restore_state(root: Path, stamp: str) -> list[str]:
    path = root / STATE_FILE
    current: UserState | None = None
    if path.exists():
        with contextlib.suppress(StoreFormatError):
            current = snapshot_state(AtomicJSONStorage(path).read(), path)
    journal = read_journal(root / JOURNAL_FILE)
    base = current.seq if current is not None else 0
    later = [r["seq"] for r in journal.records if r["seq"] > base]
    gap = bool(later) and later[0] != base + 1 and not journal.bad
    if not gap and (current is not None or not path.exists()):
        return []  # whole, or never written yet (the state lives in the journal)
    good = _newest_good_backup(root)
    if good is None:
        return [f"{STATE_FILE} is damaged or incomplete, and {BACKUP_DIR}/ holds no good "
                "backup: nothing was changed."]
    backup, state = good
    if current is not None and state.seq <= current.seq:
        return [f"{STATE_FILE} lacks operations, and no backup is newer than it: nothing "
                "was changed."]
    out = []
    if path.exists():
        aside = _move_aside(path, stamp)
        out.append(f"Moved the damaged {STATE_FILE} aside to {aside.name}.")
    atomic_write(path, backup.read_bytes())
    out.append(f"Restored {STATE_FILE} from {BACKUP_DIR}/{backup.name} (operation {state.seq}); "
               "the journal's later operations apply on top of it.")
    replayed = [r["seq"] for r in journal.records if r["seq"] > state.seq]
    if replayed and replayed[0] != state.seq + 1:
        first, last = state.seq + 1, replayed[0] - 1
        out.append(f"Operations {first}–{last} were only in the damaged file and could not "
                   "be recovered." if first != last else
                   f"Operation {first} was only in the damaged file and could not be "
                   "recovered.")
    return out


def _restore_items(root: Path, stamp: str) -> list[str]:
    path = root / ITEMS_FILE
    try:
        items_from(SegmentedItems(path).read(), path)
        return []
    except StoreFormatError:
        pass
    prev = _good_previous_items(root)
    if prev is None:
        return [f"{ITEMS_FILE} is damaged and there is no good earlier copy: it holds "
                "imported content, so move it aside and import your files again (tags are "
                "kept apart and come back with the same items). It was not changed."]
    out = []
    if path.exists():
        aside = _move_aside(path, stamp)
        out.append(f"Moved the damaged {ITEMS_FILE} aside to {aside.name}.")
    atomic_write(path, prev.read_bytes())
    count = len(items_from(SegmentedItems(path).read(), path))
    out.append(f"Restored {ITEMS_FILE} from {BACKUP_DIR}/{PREVIOUS_ITEMS} ({_plural(count, 'item')}"
               "): the items of the latest import are not in it, so import that file again.")
    return out
