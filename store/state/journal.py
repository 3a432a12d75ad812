"""The journal: an append-only, fsynced log of user operations (one JSON object a line).

Why a log and not a rewrite: a tag must be durable the moment the UI shows it,
and rewriting a 100k-item state file for each tag would cost far more than the
20 ms we allow. Appending one line and fsyncing it is cheap and atomic enough:
a record counts only once its newline is on disk, so a torn last line left by a
crash is simply not there yet, and the next writer cuts it off before appending.

Other processes follow the log by offset and replay only what is new; the log is
folded into the state snapshot now and then (see ``store.state.userstate``), which replaces
the file, so a follower that sees a new inode starts over from the snapshot.

A damaged line in the middle (a disk error, a hand edit: never a crash, which can
only tear the last line) is skipped and reported as ``journal.jsonl:LINE`` (the
TUI and the CLI warn, ``newsdesk doctor`` lists it); the lines after it still
count. Before a compaction would fold such a journal away, the damaged file is
kept in ``backups/`` so the bad line is never lost without a trace.
"""

from __future__ import annotations

import contextlib
import errno
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from store.disk.atomic import NOFOLLOW, describe_os_error
from store.disk.links import PROBLEM as LINK_PROBLEM
from store.disk.links import link_advice
from store.disk.perms import set_file_mode
from store.errors import StoreFormatError, StoreWriteError

Record = dict[str, Any]


@dataclass(frozen=True)
class BadLine:
    """A journal line that is not a record: where it is, and what is wrong with it."""

    line: int
    reason: str


@dataclass
class JournalRead:
    """New records since the last read, and where the next read starts."""

    records: list[Record] = field(default_factory=list)
    offset: int = 0
    inode: int | None = None
    bad: list[BadLine] = field(default_factory=list)
    line: int = 1
    """The number of the next line to read (1 after a fresh start)."""
    torn: int = 0
    """Bytes after the last newline: a torn last line, or one being written."""

    @property
    def bad_lines(self) -> int:
        """How many lines were skipped as damaged."""
        return len(self.bad)


def _is_delta(value: object) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(i, str) for i in v)
        for k, v in value.items())


def _is_names(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(i, str) for i in value)


def forward_problem(entry: object) -> str | None:
    """Why an undo/redo history entry is malformed (None when it is fine)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("seq"), int):
        return "a history entry has no operation number"
    if not isinstance(entry.get("label", ""), str):
        return "a history entry's label is not text"
    if not (_is_delta(entry.get("add") or {}) and _is_delta(entry.get("remove") or {})):
        return "a history entry's tag changes have the wrong shape"
    if not (_is_names(entry.get("read") or []) and _is_names(entry.get("unread") or [])):
        return "a history entry's read marks have the wrong shape"
    return None


def record_problem(record: object) -> str | None:
    """Why ``record`` cannot be replayed (None when it can).

    Checked before anything is applied, so a well-formed JSON line of the wrong
    shape is a damaged line, never a crash halfway through replaying it.
    """
    if not isinstance(record, dict):
        return "not a JSON object"
    seq = record.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        return "no operation number"
    kind = record.get("kind")
    if kind == "tags":
        if not (_is_delta(record.get("add") or {}) and _is_delta(record.get("remove") or {})):
            return "its tag changes have the wrong shape"
        for key in ("undo_of", "redo_of", "withdraw_of"):
            if key in record and not isinstance(record[key], int):
                return f"{key} is not an operation number"
        if record.get("original") is not None and forward_problem(record["original"]):
            return "the operation it undoes has the wrong shape"
    elif kind == "read":
        if not (_is_names(record.get("read") or []) and _is_names(record.get("unread") or [])):
            return "its read marks have the wrong shape"
        for key in ("undo_of", "redo_of"):
            if key in record and not isinstance(record[key], int):
                return f"{key} is not an operation number"
        if record.get("original") is not None and forward_problem(record["original"]):
            return "the operation it undoes has the wrong shape"
    elif kind == "saved":
        saved = record.get("set") or {}
        if not (isinstance(saved, dict) and all(isinstance(v, str) for v in saved.values())
                and _is_names(record.get("delete") or [])):
            return "its saved searches have the wrong shape"
    # Another kind comes from a newer newsdesk: replayed as a no-op, not an error.
    return None


def read_journal(path: Path, offset: int = 0, inode: int | None = None,
                 line: int = 1) -> JournalRead:
    """Records after ``offset`` (from the start if the file was replaced since);
    ``line`` is the number of the line at ``offset``, for reporting damaged ones."""
    try:
        fd = os.open(path, os.O_RDONLY | NOFOLLOW)
    except FileNotFoundError:
        return JournalRead(offset=0, inode=None)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise StoreFormatError(path, LINK_PROBLEM, link_advice(path)) from exc
        raise StoreFormatError(path, f"it cannot be read ({describe_os_error(exc)})",
                               "Check the file's permissions.") from exc
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if st.st_ino != inode or st.st_size < offset:
            offset, line = 0, 1
        fh.seek(offset)
        data = fh.read()
    end = data.rfind(b"\n") + 1  # only whole lines; a torn tail is not a record yet
    out = JournalRead(offset=offset + end, inode=st.st_ino, torn=len(data) - end)
    lines = data[:end].split(b"\n")[:-1]
    for number, raw in enumerate(lines, start=line):
        if not raw.strip():
            continue
        try:
            record = orjson.loads(raw)
        except orjson.JSONDecodeError:
            out.bad.append(BadLine(number, "not valid JSON"))
            continue
        problem = record_problem(record)
        if problem is None:
            out.records.append(record)
        else:
            out.bad.append(BadLine(number, problem))
    out.line = line + len(lines)
    return out


def append_records(path: Path, records: list[Record]) -> None:
    """Append ``records`` durably, as one write; on failure the file is as it was.

    Must be called under the store lock. Raises StoreWriteError.
    """
    payload = b"".join(orjson.dumps(r) + b"\n" for r in records)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | NOFOLLOW, 0o666)
    except OSError as exc:
        advice = link_advice(path) if exc.errno == errno.ELOOP else None
        raise StoreWriteError(path, describe_os_error(exc), advice) from exc
    try:
        set_file_mode(fd, Path(path).parent)
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
