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
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from store.disk.layout import INDEX_FILE, ITEMS_FILE
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
    return SearchIndex.load(Path(root) / INDEX_FILE, items_signature(root), verify=verify)


def build_index(root: Path, items: Iterable[Mapping[str, Any]],
                signature: str | None = None) -> SearchIndex:
    """Build the index from ``items`` and cache it (a cache that cannot be written,
    on a read-only store, is simply not kept)."""
    index = SearchIndex.build(items)
    _save(root, index, signature or items_signature(root))
    return index


def update_index(root: Path, before: str, new_items: Sequence[Mapping[str, Any]]) -> None:
    """After an import: extend a cache that was current before it, so the next search
    does not rebuild everything. A missing or stale cache is left for the next reader."""
    index = SearchIndex.load(Path(root) / INDEX_FILE, before, verify=True)
    if index is None:
        return
    index.add(new_items)
    _save(root, index, items_signature(root))


def _save(root: Path, index: SearchIndex, signature: str) -> None:
    with contextlib.suppress(OSError, StoreError):
        index.save(Path(root) / INDEX_FILE, signature)


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
