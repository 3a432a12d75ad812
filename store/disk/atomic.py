"""Atomic JSON storage for TinyDB, and the store's cross-process lock.

TinyDB's own ``JSONStorage`` rewrites its file in place, so a crash mid-write
leaves broken JSON, and it has no lock between processes. Here every write goes
to a fresh temp file in the same folder (exclusive create, so a planted symlink is
never followed), is flushed and fsynced, renamed over the old file with
``os.replace`` and the folder is fsynced: a reader sees the old file or the new
one, never half of either. Reads are cached by the file's stat signature, so a
process re-parses only when another one has changed the file.

Files are private whatever the umask (0600, in a folder made 0700), or group
read/write in a group-shared store folder: see ``store.disk.perms``. A data file
that is a symbolic link is refused, never read through (``store.disk.links``).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from store.disk.jsonchunks import load_tables
from store.disk.links import link_advice, refuse_link
from store.disk.perms import make_private_dir, set_file_mode
from store.disk.signature import file_signature  # also imported from here (desk, state)
from store.errors import StoreBusyError, StoreFormatError, StoreWriteError

_WRITE_ERRORS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ELOOP: "it is a symbolic link, and newsdesk never writes through one",
}


NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
"""Opened store files (journal, lock) are never reached through a planted symlink."""

TEMP_SUFFIX = ".tmp"
"""Temp files are ``.NAME.RANDOM.tmp`` beside the file they will replace."""


def is_writable(folder: Path) -> bool:
    """Whether this process may create and replace files in ``folder``.

    The one place the store asks; tests monkeypatch it, because ``os.access`` says
    yes to root (CI runs as root) even where a user would be refused.
    """
    return os.access(folder, os.W_OK)


def mask_world_writable(fd: int) -> None:
    """Drop ``o+w`` from a file we just created, whatever the umask allowed."""
    mode = os.fstat(fd).st_mode
    if mode & 0o002:
        os.fchmod(fd, mode & 0o7775)


def make_dir(folder: Path) -> None:
    """Create a store folder or one inside it (parents with the umask): 0700, or 2770
    inside a group-shared folder (see store.disk.perms)."""
    make_private_dir(folder)


def temp_files(folder: Path) -> list[Path]:
    """Temp files a killed writer may have left in ``folder`` (ours only)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return [folder / n for n in sorted(names)
            if n.startswith(".") and (n.endswith(TEMP_SUFFIX) or n.startswith(".index-"))]


def remove_temp_files(folder: Path) -> int:
    """Remove temp files left by killed writers; call only under the store lock, which
    every writer of the folder's own files holds. Returns how many went."""
    removed = 0
    for path in temp_files(folder):
        if path.name.startswith(".index-"):
            continue  # the search cache is saved without the lock: leave its temp alone
        with contextlib.suppress(OSError):
            path.unlink()
            removed += 1
    return removed


def describe_os_error(exc: OSError) -> str:
    """A short human reason for an OS error, without the errno noise."""
    return _WRITE_ERRORS.get(exc.errno or 0, exc.strerror or str(exc))


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a no-op where folders can't be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically and durably.

    Raises StoreWriteError when the disk refuses; the old file is then intact and
    no temp file is left behind.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}{TEMP_SUFFIX}")
    try:
        # O_EXCL: never follow or reuse something already at the temp name.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o666)
    except OSError as exc:
        raise StoreWriteError(path, describe_os_error(exc)) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            set_file_mode(fd, path.parent)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise StoreWriteError(path, describe_os_error(exc)) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def dumps(data: Any) -> bytes:
    """Serialize to valid, human-readable JSON (indented, UTF-8, not ASCII-escaped)."""
    return orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"


class AtomicJSONStorage(Storage):
    """A TinyDB storage that writes atomically and re-reads only when the file changed.

    ``kind`` names what the file must hold, so a wrong file (someone's
    settings.json copied in by mistake) is refused instead of overwritten.
    With ``previous``, each write keeps the version it replaces there (a hard
    link to the old inode, so it costs no copy; the old inode is never written
    again, because writes replace the file).
    """

    def __init__(self, path: str | Path, kind: str = "newsdesk",
                 previous: Path | None = None) -> None:
        self.path = Path(path)
        self.kind = kind
        self.previous = Path(previous) if previous is not None else None
        self._signature: tuple[int, int, int, int] | None = None
        self._cache: dict[str, Any] | None = None

    @property
    def signature(self) -> tuple[int, int, int, int] | None:
        """The stat signature of the data last read or written."""
        return self._signature

    def read(self) -> dict[str, Any] | None:
        refuse_link(self.path)  # never read through a link, then replace it at the next save
        signature = file_signature(self.path)
        if signature is None:
            self._signature, self._cache = None, None
            return None
        if signature == self._signature and self._cache is not None:
            return self._cache
        try:
            # A large file is parsed in slices (see store.disk.jsonchunks): at 100k items
            # that halves the peak memory of opening it.
            data = load_tables(self.path)
            raw = self.path.read_bytes() if data is None else b""
        except orjson.JSONDecodeError:
            data, raw = None, self.path.read_bytes()  # parsed whole: the error says where
        except OSError as exc:
            raise StoreFormatError(self.path, f"it cannot be read ({describe_os_error(exc)})",
                                   "Check the file's permissions.") from exc
        self._cache = self._parse(raw) if data is None else self._check(data)
        self._signature = signature
        return self._cache

    def _parse(self, raw: bytes) -> dict[str, Any]:
        if not raw or raw.isspace():  # not raw.strip(): that copies the whole file
            raise StoreFormatError(self.path, "the file is empty")
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise StoreFormatError(self.path, f"it is not valid JSON ({exc})") from exc
        return self._check(data)

    def _check(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
            raise StoreFormatError(
                self.path, "it is JSON but not a newsdesk store (expected an object of tables)"
            )
        return data

    def write(self, data: dict[str, Any]) -> None:
        refuse_link(self.path)
        held = self._hold_previous()
        try:
            atomic_write(self.path, dumps(data))
        except BaseException:
            # TinyDB mutates the dict it read before writing it back; after a failed
            # write that dict no longer matches the disk, so forget it.
            self._cache, self._signature = None, None
            if held is not None:
                with contextlib.suppress(OSError):
                    os.unlink(held)
            raise
        if held is not None and self.previous is not None:
            with contextlib.suppress(OSError):
                os.replace(held, self.previous)
        self._cache = data
        self._signature = file_signature(self.path)

    def close(self) -> None:
        self._cache = None

    def _hold_previous(self) -> Path | None:
        """Link the current file to a temp name beside ``previous`` (best effort: a file
        system without hard links, or a symlinked folder, simply keeps no previous)."""
        if self.previous is None or not self.path.exists():
            return None
        folder = self.previous.parent
        try:
            if folder.is_symlink():
                return None
            make_dir(folder)
            held = folder / f".{self.previous.name}.{secrets.token_hex(6)}{TEMP_SUFFIX}"
            os.link(self.path, held, follow_symlinks=False)
        except OSError:
            return None
        return held


class StoreLock:
    """An exclusive, cross-process lock on a store folder (``flock`` on ``lock``).

    The kernel drops a ``flock`` when its holder dies, so a killed process never
    leaves a lock that blocks the next session. Re-entrant within a process.
    """

    def __init__(self, path: Path, timeout: float = 10.0) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self._fd: int | None = None
        self._depth = 0
        self._thread_lock = threading.RLock()

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Hold the lock for the duration of the block."""
        with self._thread_lock:
            if self._depth == 0:
                self._acquire()
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._release()

    def _acquire(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | NOFOLLOW, 0o666)
        except OSError as exc:
            advice = link_advice(self.path) if exc.errno == errno.ELOOP else None
            raise StoreWriteError(self.path, describe_os_error(exc), advice) from exc
        set_file_mode(fd, self.path.parent)  # a lock someone else created stays theirs
        deadline = time.monotonic() + self.timeout
        delay = 0.001
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise StoreBusyError(self.path, self.timeout) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
        self._fd = fd

    def _release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
