"""Search over a store: the index cache beside the JSON, and the user state it reads.

The JSON stays the source of truth; ``index.bin`` is a rebuildable cache stamped
with the signature of the ``items.json`` it was built from, so a stale or damaged
cache is simply rebuilt. Tags and read marks are never baked into the index: they
change on every keystroke of a tagging session, so queries read them live through
``StateView``.

Opening a cache takes milliseconds; building one costs ~0.25 ms per item, which is
why the CLI and the TUI load it, and build it (in a worker, for the TUI) only when
it is missing or stale.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from store.disk.atomic import atomic_write
from store.disk.layout import INDEX_FILE, INDEX_MORE, ITEMS_FILE
from store.disk.signature import items_stamp
from store.errors import StoreError
from store.search.evaluate import highlight_spans
from store.search.index import SearchIndex
from store.search.query import QuerySyntaxError, parse

if TYPE_CHECKING:  # a one-shot search about text alone never imports the state code
    from store.state.userstate import StateFiles


__all__ = ["INDEX_FILE", "QuerySyntaxError", "StateView", "highlight_spans", "items_signature",
           "LazyStateView", "load_index", "parse", "build_index", "update_index"]


def items_signature(root: Path) -> str:
    """Changes whenever ``items.json`` is replaced: the cache's validity stamp (its
    generation, so it survives a copy of the store; see ``store.disk.signature``)."""
    return items_stamp(Path(root) / ITEMS_FILE)


def load_index(root: Path, *, lazy: bool = False) -> SearchIndex | None:
    """The cached index if it matches the current items and every section's checksum
    holds, else None (never raises). Checking costs ~0.4 ms per MB (~40 ms at 100k
    items); unchecked, a flipped byte gave silently wrong results in a fuzz test.

    ``lazy`` checks the big sections when a query first reads them instead (see
    ``SearchIndex.load``): queries may then raise ValueError on a damaged cache."""
    verify: bool | Literal["lazy"] = "lazy" if lazy else True
    return _load(Path(root), items_signature(root), verify)


def _load(root: Path, signature: str, verify: bool | Literal["lazy"]) -> SearchIndex | None:
    """index.bin and its later parts (``INDEX_MORE``) for the items of ``signature``."""
    more = _more(root)
    if more is None or more["signature"] != signature:
        return SearchIndex.load(root / INDEX_FILE, signature, verify=verify)
    index = SearchIndex.load(root / INDEX_FILE, more["base"], verify=verify)
    for part in more["files"]:
        if index is None:
            return None
        later = SearchIndex.load(root / part["file"], part["token"], verify=verify)
        if later is None:
            return None
        try:
            index.extend(later)
        except ValueError:
            return None
    return index


MORE_FILES = 24
"""Later parts of the index before an import writes index.bin whole again (each part is
a segment every query visits; one file keeps a store's directory tidy)."""
_PART = re.compile(r"index-[0-9a-f]{16}\.bin")


def _more(root: Path) -> dict[str, Any] | None:
    """The list of the index's later parts, when there is a whole one."""
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(root / INDEX_MORE, os.O_RDONLY | nofollow)
        with os.fdopen(fd, "rb") as f:
            more = json.loads(f.read(1 << 20))
    except (OSError, ValueError):
        return None
    if not isinstance(more, dict) or not all(
            isinstance(more.get(k), str) for k in ("base", "signature")):
        return None
    files = more.get("files")
    if not isinstance(files, list) or not all(
            isinstance(p, dict) and isinstance(p.get("file"), str)
            and _PART.fullmatch(p["file"]) and isinstance(p.get("token"), str)
            for p in files):
        return None
    return more


def build_index(root: Path, items: Iterable[Mapping[str, Any]],
                signature: str | None = None) -> SearchIndex:
    """Build the index from ``items`` and cache it (a cache that cannot be written,
    on a read-only store, is simply not kept)."""
    index = SearchIndex.build(items)
    _save(root, index, signature or items_signature(root))
    return index


def update_index(root: Path, before: str, new_items: Sequence[Mapping[str, Any]]) -> None:
    """After an import: extend a cache that was current before it, so the next search
    does not rebuild everything. A missing or stale cache is left for the next reader.

    The new items go into a file of their own (a later part, listed in ``INDEX_MORE``):
    index.bin, 200 MB at 300,000 items, is neither read nor written again, until
    ``MORE_FILES`` parts make it worth writing whole."""
    root = Path(root)
    more = _more(root)
    if more is None or more["signature"] != before:
        more = {"base": before, "files": []}  # index.bin alone, if it is for ``before``
    whole = len(more["files"]) >= MORE_FILES
    index = _load(root, before, verify=True if whole else "lazy")
    if index is None:
        return
    start = len(index)
    try:
        index.add(new_items)
    except ValueError:  # a damaged section, checked as read: the next reader rebuilds
        return
    after = items_signature(root)
    if whole:
        _save(root, index, after)
        return
    files = list(more["files"])
    if len(index) > start:
        token = secrets.token_hex(8)
        part = SearchIndex(index.segments[-1:])
        with contextlib.suppress(OSError, StoreError):
            part.save(root / f"index-{token}.bin", token)
            files.append({"file": f"index-{token}.bin", "token": token})
    with contextlib.suppress(OSError, StoreError):
        atomic_write(root / INDEX_MORE, json.dumps(
            {"base": more["base"], "signature": after, "files": files}).encode())
        _collect(root, {p["file"] for p in files})


def _save(root: Path, index: SearchIndex, signature: str) -> None:
    """index.bin written whole; its later parts, now inside it, are removed."""
    with contextlib.suppress(OSError, StoreError):
        index.save(Path(root) / INDEX_FILE, signature)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(Path(root) / INDEX_MORE)
        _collect(Path(root), set())


def _collect(root: Path, keep: set[str]) -> None:
    """Remove the index's parts that the list no longer names (best effort; a search
    that mapped one keeps reading it: an unlinked file lives on while mapped)."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(root):
            if _PART.fullmatch(entry.name) and entry.name not in keep:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


class StateView:
    """The user state as the index reads it (tags and read marks, live)."""

    def __init__(self, files: StateFiles) -> None:
        self.files = files

    def tags_of(self, item_id: str) -> Sequence[str]:
        return self.files.state.tags.get(item_id, ())

    def is_read(self, item_id: str) -> bool:
        return item_id in self.files.state.read

    def tagged_ids(self) -> Collection[str]:
        return self.files.state.tags.keys()

    def read_ids(self) -> Collection[str]:
        return self.files.state.read

    def revision(self) -> int:
        return self.files.state.seq + self.files.reloads

    def mark(self) -> tuple[object, int]:
        """Where the state is now, for ``changed_since``."""
        return self.files.state, self.files.state.seq

    def changed_since(self, mark: tuple[object, int]) -> Collection[str] | None:
        """Ids whose tags or read mark changed since ``mark``; None: maybe any (the
        state was reloaded, or too much happened)."""
        state, seq = mark
        if state is not self.files.state:
            return None
        return self.files.state.changed_since(seq)


class LazyStateView(StateView):
    """A StateView that reads the user state on first use: a query about text alone
    (most one-shot CLI searches) never pays for replaying the journal."""

    def __init__(self, root: Path) -> None:  # noqa: D107 - no StateFiles yet
        self._root = Path(root)
        self._files: StateFiles | None = None

    @property
    def files(self) -> StateFiles:  # type: ignore[override]
        if self._files is None:
            from store.disk.atomic import StoreLock
            from store.state.userstate import StateFiles

            files = StateFiles(self._root, StoreLock(self._root / "lock"))
            files.load()
            self._files = files
        return self._files
