"""A torn last journal line: kept in ``backups/``, cut off, reported once.

A crash (or a full disk) in the middle of an append can leave the journal ending
in half a line. That line never counted (a record counts once its newline is on
disk), so the operations before it stand. Its bytes are still someone's last
action, so before cutting them off they are copied to
``backups/journal.torn-TIME.jsonl``, and the one process that did so reports it
in one line; the next one finds a whole journal and says nothing.

Only ever done under the store lock: then no writer is mid-append, so a missing
final newline is damage, never a line still being written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from store.disk.atomic import NOFOLLOW, atomic_write, fsync_dir, make_dir
from store.errors import StoreWriteError

_LOOK_BACK = 1 << 16


@dataclass(frozen=True)
class TornTail:
    """What was cut: how many bytes, and where they are kept (None: read-only store)."""

    journal: Path
    size: int
    kept: Path | None

    def __str__(self) -> str:
        where = (f"kept in {self.kept}" if self.kept is not None
                 else "left as it is (the store is read-only)")
        return (f"{self.journal}: its last line was cut short by an interrupted save "
                f"({self.size:,} bytes, {where}); the operations before it are all there")


def torn_size(path: Path) -> int:
    """How many bytes follow the journal's last newline (0: it ends whole)."""
    try:
        fd = os.open(path, os.O_RDONLY | NOFOLLOW)
    except OSError:
        return 0
    try:
        return _torn(fd, os.fstat(fd).st_size)
    finally:
        os.close(fd)


def _torn(fd: int, size: int) -> int:
    start = size
    while start > 0:
        begin = max(0, start - _LOOK_BACK)
        chunk = os.pread(fd, start - begin, begin)
        newline = chunk.rfind(b"\n")
        if newline >= 0:
            return size - (begin + newline + 1)
        start = begin
    return size


def keep_torn_tail(path: Path, backups: Path) -> TornTail | None:
    """Copy a torn tail of the journal at ``path`` into ``backups`` and cut it off.
    Call under the store lock. Raises StoreWriteError (nothing cut) when the copy
    cannot be written."""
    try:
        fd = os.open(path, os.O_RDWR | NOFOLLOW)
    except FileNotFoundError:
        return None
    try:
        size = os.fstat(fd).st_size
        torn = _torn(fd, size)
        if not torn:
            return None
        tail = os.pread(fd, torn, size - torn)
        if backups.is_symlink():
            raise StoreWriteError(backups, "it is a symbolic link, and newsdesk never writes "
                                  "through one (make it a real folder)")
        make_dir(backups)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = backups / f"journal.torn-{stamp}.jsonl"
        n = 1
        while kept.exists():
            n += 1
            kept = backups / f"journal.torn-{stamp}-{n}.jsonl"
        atomic_write(kept, tail)  # first: the bytes are safe before any is cut
        os.ftruncate(fd, size - torn)
        os.fsync(fd)
    finally:
        os.close(fd)
    fsync_dir(path.parent)
    return TornTail(path, torn, kept)
