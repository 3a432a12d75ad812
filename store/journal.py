"""The journal: an append-only, fsynced log of user operations (one JSON object a line).

Why a log and not a rewrite: a tag must be durable the moment the UI shows it,
and rewriting a 100k-item state file for each tag would cost far more than the
20 ms we allow. Appending one line and fsyncing it is cheap and atomic enough:
a record counts only once its newline is on disk, so a torn last line left by a
crash is simply not there yet, and the next writer cuts it off before appending.

Other processes follow the log by offset and replay only what is new; the log is
folded into the state snapshot now and then (see ``store.state``), which replaces
the file, so a follower that sees a new inode starts over from the snapshot.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from store.errors import StoreWriteError
from store.storage import describe_os_error

Record = dict[str, Any]


@dataclass
class JournalRead:
    """New records since the last read, and where the next read starts."""

    records: list[Record] = field(default_factory=list)
    offset: int = 0
    inode: int | None = None
    bad_lines: int = 0


def read_journal(path: Path, offset: int = 0, inode: int | None = None) -> JournalRead:
    """Records after ``offset`` (from the start if the file was replaced since)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return JournalRead(offset=0, inode=None)
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if st.st_ino != inode or st.st_size < offset:
            offset = 0
        fh.seek(offset)
        data = fh.read()
    end = data.rfind(b"\n") + 1  # only whole lines; a torn tail is not a record yet
    out = JournalRead(offset=offset + end, inode=st.st_ino)
    for line in data[:end].splitlines():
        if not line.strip():
            continue
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            out.bad_lines += 1
            continue
        if isinstance(record, dict) and isinstance(record.get("seq"), int):
            out.records.append(record)
        else:
            out.bad_lines += 1
    return out


def append_records(path: Path, records: list[Record]) -> None:
    """Append ``records`` durably, as one write; on failure the file is as it was.

    Must be called under the store lock. Raises StoreWriteError.
    """
    payload = b"".join(orjson.dumps(r) + b"\n" for r in records)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o666)
    except OSError as exc:
        raise StoreWriteError(path, describe_os_error(exc)) from exc
    try:
        size = os.fstat(fd).st_size
        size = _cut_torn_tail(fd, size)
        try:
            written = os.write(fd, payload)
            if written != len(payload):
                raise OSError(28, "short write")
            os.fsync(fd)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, size)
            raise StoreWriteError(path, describe_os_error(exc)) from exc
    finally:
        os.close(fd)


def _cut_torn_tail(fd: int, size: int) -> int:
    """If a crash left half a line at the end, cut it off; returns the new size."""
    if size == 0:
        return 0
    tail = os.pread(fd, min(size, 1 << 16), max(0, size - (1 << 16)))
    if tail.endswith(b"\n"):
        return size
    newline = tail.rfind(b"\n")
    if newline < 0 and size > len(tail):
        # A torn line longer than 64 KiB: search further back.
        whole = os.pread(fd, size, 0)
        keep = whole.rfind(b"\n") + 1
    else:
        keep = size - len(tail) + newline + 1
    os.ftruncate(fd, keep)
    return keep
