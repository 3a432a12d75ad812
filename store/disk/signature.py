"""A file's change signature, in a module of its own: ``store.search.cache`` stamps the index
cache with it, and the one-shot CLI search should not import the JSON storage (orjson,
TinyDB) just for an ``os.stat``."""

from __future__ import annotations

import os
import re
from pathlib import Path

GENERATION = "generation"
"""items.json's ``_meta`` key for the random token each write gives it (first in the file)."""
_TOKEN = re.compile(rb'"generation":\s*"([0-9a-f]{8,32})"')


def file_signature(path: Path) -> tuple[int, int, int, int] | None:
    """What changes whenever the file is replaced or rewritten (None if absent). A
    symbolic link has its own (``lstat``): a cache stamped for the file it points to
    never matches it, so a planted link is refused by the store, not read through."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def stamp(generation: object, signature: tuple[int, int, int, int] | None) -> str:
    """The stamp caches derived from an items.json carry: its generation token and size
    when it has one (so a copy of the store, cp -a or rsync, keeps its caches), else its
    file signature; "none" when there is no file."""
    if signature is None:
        return "none"
    if isinstance(generation, str) and generation:
        return f"g{generation}-{signature[1]}"
    return "-".join(str(part) for part in signature)


def items_stamp(path: Path) -> str:
    """``stamp`` of the items.json at ``path``, from its first bytes alone (the one-shot
    CLI checks its caches with this)."""
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            head = fh.read(4096)
    except OSError:
        return "none"
    found = _TOKEN.search(head)
    generation = found.group(1).decode("ascii") if found else None
    if generation is None or os.path.islink(path):
        return stamp(None, file_signature(path))
    return stamp(generation, (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
