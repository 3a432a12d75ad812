"""Importers: each turns a file into records, or problems that say where and why.

An importer never writes to the store and never raises on bad input: a bad line is
a ``Problem`` and the rest of the file still comes through. Format detection lives
here so the CLI and the TUI import the same way.
"""

from __future__ import annotations

from pathlib import Path

from store.importers.plain import read_plain
from store.importers.records import ImportResult, Problem, Record

__all__ = ["ImportResult", "Problem", "Record", "read_file", "read_bytes"]


def read_bytes(data: bytes, source: str) -> ImportResult:
    """Parse ``data`` (the contents of a file named ``source``) into records."""
    return read_plain(data, source)


def read_file(path: str | Path) -> ImportResult:
    """Read and parse one file; an unreadable file is a single problem, not an exception."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return ImportResult(records=[], problems=[Problem(str(path), None, reason)])
    return read_bytes(data, str(path))
