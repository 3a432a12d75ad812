"""Parse a large store file a few thousand items at a time.

``orjson.loads`` builds its whole document tree before it makes Python objects:
for a 100k-item items.json (85 MB) that tree adds ~140 MB to the objects being
made, on top of the file's bytes. So the items table is parsed in slices of a
few MB taken from a read-only memory map, and the map's pages are handed back
as soon as a slice is parsed: the process then holds little more than the
objects themselves. Between slices the GIL is released, so a UI thread loading
a store in a worker still answers keys.

This only works on the layout ``store.disk.atomic.dumps`` writes (orjson,
two-space indent): there a newline followed by exactly four spaces and a quote
starts a key of a table at depth two, since newlines inside strings are
escaped. Anything else (another writer, another layout) returns None and the
caller parses the file whole; the result is the same either way.
"""

from __future__ import annotations

import mmap
import os
from pathlib import Path
from typing import Any

import orjson

CHUNK = 2 << 20
"""Bytes of items parsed at a time."""
MIN_SIZE = 16 << 20
"""Smaller files are parsed whole: slicing saves nothing worth the calls."""
_TABLE = b'\n  "items": {\n'
_NEXT_DOC = b',\n    "'
_TABLE_END = b"\n  }"


def load_tables(path: Path) -> dict[str, Any] | None:
    """The file's tables, or None when it is small or not laid out as expected
    (parse it whole then). Raises OSError when the file cannot be read and
    orjson.JSONDecodeError when it is not valid JSON."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size < MIN_SIZE:
            return None
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            return _parse(mm, size)


def _parse(mm: mmap.mmap, size: int) -> dict[str, Any] | None:
    if mm[:5] != b'{\n  "':
        return None
    head = mm.find(_TABLE)
    if head < 0:
        return None
    start = head + len(_TABLE) - 1  # at the newline before the first item key
    end = mm.find(_TABLE_END, start)
    if end < 0 or mm[start:start + 6] != b'\n    "':
        return None
    rest = orjson.loads(mm[:start] + mm[end:])  # the other tables; items is {} here
    items: dict[str, Any] = {}
    done = 0  # pages before this offset have been handed back
    while start < end:
        cut = mm.find(_NEXT_DOC, min(start + CHUNK, end), end)
        stop = end if cut < 0 else cut
        part = orjson.loads(b"{" + mm[start:stop] + b"}")
        if not isinstance(part, dict):
            return None
        items.update(part)
        start = stop + 1  # past the comma
        drop = (start // mmap.PAGESIZE) * mmap.PAGESIZE
        if drop > done and hasattr(mm, "madvise") and hasattr(mmap, "MADV_DONTNEED"):
            mm.madvise(mmap.MADV_DONTNEED, done, drop - done)
            done = drop
    if not isinstance(rest, dict) or not isinstance(rest.get("items"), dict) or rest["items"]:
        return None
    rest["items"] = items
    return rest
