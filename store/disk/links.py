"""Symbolic links in place of store files: refused, each with the advice its file needs.

A link planted where ``items.json`` or ``state.json`` should be would be read
through (someone else's file shown as yours) and then replaced by the next save;
one in place of the journal or the lock would be written through. newsdesk opens
none of them. The search and tree caches are only caches: a link there is
ignored, the cache is rebuilt and saved as a real file in its place (the rename
replaces the link itself, never what it points to).
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from store.disk.layout import CACHES
from store.errors import StoreFormatError

PROBLEM = "it is a symbolic link, and newsdesk never follows one"

"""Rebuilt rather than refused."""


def link_advice(path: Path) -> str:
    """What to do about a symbolic link at ``path``, for the file it stands for."""
    path = Path(path)
    if path.name == "lock":
        return (f"Delete the link (rm {shlex.quote(str(path))}): newsdesk makes a new lock "
                "file by itself, and nothing is lost.")
    if path.name in CACHES:
        return (f"Delete the link (rm {shlex.quote(str(path))}): it is a cache, rebuilt "
                "when needed.")
    try:
        target = os.readlink(path)
    except OSError:
        target = ""
    if target:
        shown = shlex.quote(str(path.parent / target))
        return (f"It points to {shown}. If that is your real file, put it in its place "
                f"(rm {shlex.quote(str(path))}; mv {shown} {shlex.quote(str(path))}); "
                "else delete the link. newsdesk has not changed either.")
    return "Put the real file in its place, or delete the link. newsdesk has not changed it."


def refuse_link(path: Path) -> None:
    """Raise StoreFormatError naming ``path`` when it is a symbolic link."""
    if os.path.islink(path):
        raise StoreFormatError(Path(path), PROBLEM, link_advice(Path(path)))


def is_link(path: Path | str) -> bool:
    """Whether ``path`` is a symbolic link (a cache there is ignored and rebuilt)."""
    return os.path.islink(path)
