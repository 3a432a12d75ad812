"""Writing an export where the user points ``-o``: never clobber, never through a link.

What is at the path decides how it is written:

    nothing            a new file (the user's umask, never world-writable), made
                       whole in a temp file and linked into place, so it appears
                       complete or not at all, and never over a file made meanwhile
    a regular file     refused unless ``force``; then replaced atomically, keeping
                       its mode and owner (rewritten in place when this user may
                       write it but not give a new file its owner)
    a FIFO, a terminal or a character device such as /dev/null
                       written into directly: never replaced by a file
    a symbolic link    followed only to a FIFO or device (``/dev/stdout`` is a link
                       to one); a link to a file or to nothing is refused, so its
                       target is never replaced
    a folder, a block device (a disk), a socket
                       refused

Every refusal is an ``OutputError`` naming the path and saying what to do.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path

from store.errors import StoreError

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_STREAM_KINDS = (stat.S_ISFIFO, stat.S_ISCHR)


class OutputError(StoreError):
    """An output path newsdesk will not write, or a write that failed."""


def _reason(exc: OSError) -> str:
    from store.disk.atomic import describe_os_error

    return describe_os_error(exc)


def write_output(path: str | Path, data: bytes, *, force: bool = False) -> None:
    """Write ``data`` to ``path`` by the rules above. Raises OutputError."""
    path = Path(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        _write_new(path, data)
        return
    except OSError as exc:
        raise OutputError(f"Cannot write {path}: {_reason(exc)}.") from exc
    if stat.S_ISLNK(st.st_mode):
        try:
            target = os.stat(path)
        except OSError:
            raise OutputError(
                f"Not written: {path} is a symbolic link to nothing, and newsdesk never "
                "creates a file through a link. Give another path, or delete the link."
            ) from None
        if any(kind(target.st_mode) for kind in _STREAM_KINDS):
            _write_stream(path, data)
            return
        shown = os.path.realpath(path)
        raise OutputError(
            f"Not written: {path} is a symbolic link (to {shown}), and newsdesk never "
            f"replaces what a link points to. Give the real path ({shown}"
            f"{', with --force' if stat.S_ISREG(target.st_mode) else ''}) instead."
        )
    if any(kind(st.st_mode) for kind in _STREAM_KINDS):
        _write_stream(path, data)
    elif stat.S_ISREG(st.st_mode):
        if not force:
            raise OutputError(
                f"Not written: {path} already exists. Add --force to replace it (its mode "
                "and owner are kept), or give another file name."
            )
        _replace(path, data, st)
    elif stat.S_ISDIR(st.st_mode):
        raise OutputError(f"Not written: {path} is a folder. Give a file name inside it.")
    else:
        what = "a block device (a disk)" if stat.S_ISBLK(st.st_mode) else "not a file"
        raise OutputError(
            f"Not written: {path} is {what}; newsdesk writes an export only to a file, a "
            "pipe or a terminal. Give a file name."
        )


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _write_stream(path: Path, data: bytes) -> None:
    """Into a FIFO or device as it is: no temp file, no rename, no truncation."""
    try:
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise OutputError(f"Cannot write {path}: {_reason(exc)}.") from exc
    try:
        st = os.fstat(fd)
        if not any(kind(st.st_mode) for kind in _STREAM_KINDS):  # swapped meanwhile
            raise OutputError(f"Not written: {path} changed while it was opened; try again.")
        _write_all(fd, data)
    except OSError as exc:
        raise OutputError(f"Could not write all of the export to {path}: "
                          f"{_reason(exc)}.") from exc
    finally:
        os.close(fd)


def _temp(path: Path, mode: int) -> tuple[int, Path]:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, mode)
    return fd, tmp


def _fill(fd: int, data: bytes) -> None:
    _write_all(fd, data)
    os.fsync(fd)


def _write_new(path: Path, data: bytes) -> None:
    """A new file, whole or not at all, and never over one that appeared meanwhile."""
    try:
        fd, tmp = _temp(path, 0o666)
    except OSError as exc:
        raise OutputError(f"Cannot write {path}: {_reason(exc)}.") from exc
    try:
        try:
            mode = stat.S_IMODE(os.fstat(fd).st_mode)
            if mode & 0o002:  # never world-writable, even under umask 000
                os.fchmod(fd, mode & ~0o002)
            _fill(fd, data)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path, follow_symlinks=False)  # fails if anything is there now
        except FileExistsError:
            raise OutputError(f"Not written: {path} appeared while the export was being "
                              "written. Add --force to replace it.") from None
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV,
                                 errno.EMLINK):
                raise
            _write_exclusive(path, data)  # a file system without hard links
    except OSError as exc:
        raise OutputError(f"Could not write {path}: {_reason(exc)}. Nothing was "
                          "written there.") from exc
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    _fsync_dir(path.parent)


def _write_exclusive(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o666)
    try:
        _fill(fd, data)
    finally:
        os.close(fd)


def _replace(path: Path, data: bytes, st: os.stat_result) -> None:
    """``--force`` over a regular file: atomically, with its mode and owner."""
    mode = stat.S_IMODE(st.st_mode)
    try:
        fd, tmp = _temp(path, 0o600)
    except OSError:  # no right to create files beside it: rewrite it in place
        _rewrite_in_place(path, data, st)
        return
    try:
        try:
            try:
                if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
                    os.fchown(fd, st.st_uid, st.st_gid)
            except OSError:
                in_place = True  # we may not give a new file its owner
            else:
                in_place = False
                os.fchmod(fd, mode)  # after chown, which may clear set-id bits
                _fill(fd, data)
        finally:
            os.close(fd)
        if in_place:
            _rewrite_in_place(path, data, st)
            return
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"Could not write {path}: {_reason(exc)}. It is as it "
                          "was.") from exc
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    _fsync_dir(path.parent)


def _rewrite_in_place(path: Path, data: bytes, st: os.stat_result) -> None:
    """Truncate and write the same file (same inode, so the same mode and owner)."""
    try:
        fd = os.open(path, os.O_WRONLY | NOFOLLOW)
    except OSError as exc:
        raise OutputError(f"Cannot write {path}: {_reason(exc)}.") from exc
    try:
        now = os.fstat(fd)
        if (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino):
            raise OutputError(f"Not written: {path} changed while it was opened; try again.")
        os.ftruncate(fd, 0)
        _fill(fd, data)
    except OSError as exc:
        raise OutputError(f"Could not write {path}: {_reason(exc)}.") from exc
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    from store.disk.atomic import fsync_dir

    fsync_dir(folder)
