"""The store's error types: each one is something a user can cause and read.

The CLI and the TUI show ``str(error)`` and nothing else, so every message names
the file and says what to do. None of them should ever surface as a traceback.
"""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """Base class of every user-facing store error."""


class StoreFormatError(StoreError):
    """A store file is not JSON, has the wrong shape, or a newer schema.

    The file is never written to after this is raised: it may hold the only copy
    of someone's work, so we refuse rather than "repair" it.
    """

    def __init__(self, path: Path, problem: str, advice: str | None = None) -> None:
        self.path = Path(path)
        self.problem = problem
        self.advice = advice or _format_advice(self.path)
        super().__init__(f"Cannot open store file {self.path}: {problem}. {self.advice}")


def _has_backup(path: Path) -> bool:
    """Whether ``doctor --restore`` has a copy of this store file to put back (the
    names are store.disk.layout's: ``backups/items.prev.json``, ``backups/state.*.json``;
    written out here because this module imports nothing of the store)."""
    folder = path.parent / "backups"
    try:
        if path.name == "items.json":
            return (folder / "items.prev.json").is_file()
        if path.name == "state.json":
            return any(folder.glob("state.*.json"))
    except OSError:
        return False
    return True  # another file: doctor knows its own remedy


def _format_advice(path: Path) -> str:
    """What to do about a broken store file: restore it when a backup exists, else
    (issue 16) what to do instead of a ``doctor --restore`` that has nothing to use."""
    if _has_backup(path):
        return ("newsdesk has not changed it. `newsdesk doctor` explains what is wrong and "
                "`newsdesk doctor --restore` puts back the newest good backup (the broken "
                "file is kept beside it).")
    if path.name == "items.json":
        return ("newsdesk has not changed it, and there is no backup of it to restore. Repair "
                "the file by hand if you can (`newsdesk doctor` says what is wrong), or import "
                "your files again into a new store: `newsdesk --store NEW_FOLDER import FILE…`.")
    return ("newsdesk has not changed it, and there is no backup of it to restore. "
            "`newsdesk doctor` says what is wrong; move the file aside to start with no tags "
            "or read marks (the items are not affected).")


class StoreWriteError(StoreError):
    """A write failed (disk full, read-only file system, permission denied).

    The previous state on disk is intact; the change was not applied.
    """

    def __init__(self, path: Path, reason: str, advice: str | None = None) -> None:
        self.path = Path(path)
        self.reason = reason
        self.advice = advice or _write_advice(reason)
        super().__init__(
            f"Could not write {self.path}: {reason}. Nothing was changed on disk; "
            f"{self.advice[:1].lower()}{self.advice[1:]}"
        )


def _write_advice(reason: str) -> str:
    """What to do about a refused write, for its cause (see storage.describe_os_error)."""
    if "symbolic link" in reason:
        return "put the real file in place of the link (or delete the link), then try again."
    if "read-only" in reason:
        return "the file system is mounted read-only: use a store on a writable disk."
    if "permission" in reason:
        return "fix the permissions of the store folder and its files, then try again."
    if "full" in reason or "quota" in reason or "short write" in reason:
        return "free some space, then try again."
    return "free some space or fix the permissions, then try again."


class StoreBusyError(StoreError):
    """Another process held the store's lock for too long."""

    def __init__(self, path: Path, seconds: float) -> None:
        self.path = Path(path)
        super().__init__(
            f"The store at {self.path.parent} is busy: another newsdesk process has held "
            f"its lock for more than {seconds:g} s. Try again in a moment."
        )


class ReadOnlyStoreError(StoreError):
    """A change was asked of a store opened read-only."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        super().__init__(
            f"The store at {self.root} is read-only (no write permission), so this change "
            "cannot be saved. Browsing and search still work."
        )


class ImportInterrupted(KeyboardInterrupt):
    """An import of several batches stopped (Ctrl-C) after some were written: the
    user must know what landed, and that the same import again adds the rest."""

    def __init__(self, imported: int, total: int, added: int) -> None:
        self.imported, self.total, self.added = imported, total, added
        super().__init__(
            f"interrupted: the first {imported:,} of {total:,} records were imported "
            f"({added:,} added). Run the same import again to add the rest (what is "
            "stored already is skipped)."
        )
