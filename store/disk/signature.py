"""A file's change signature, in a module of its own: ``store.search.cache`` stamps the index
cache with it, and the one-shot CLI search should not import the JSON storage (orjson,
TinyDB) just for an ``os.stat``."""

from __future__ import annotations

import os
from pathlib import Path


def file_signature(path: Path) -> tuple[int, int, int, int] | None:
    """What changes whenever the file is replaced or rewritten (None if absent). A
    symbolic link has its own (``lstat``): a cache stamped for the file it points to
    never matches it, so a planted link is refused by the store, not read through."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
