"""The bridge from the store to the widgets: plain data the panes can draw.

Widgets never touch the store; the screen hands them these adapters, so a pane
can be tested with an in-memory source and the store with no UI at all.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Callable, Sequence
from typing import overload

from store import SearchIndex, Store, Subscription, sanitize, sanitize_line
from tui.widgets.detail_view import Detail
from tui.widgets.item_list import RowData

Highlighter = Callable[[str], Sequence[tuple[int, int]]]
"""Text -> spans that match the current search (nothing when there is none)."""


def _no_highlights(text: str) -> Sequence[tuple[int, int]]:
    return ()


class StoreRows:
    """Rows of the item list, read from an open store."""

    def __init__(self, store: Store, highlight: Highlighter = _no_highlights) -> None:
        self.store = store
        self.highlight = highlight

    def row(self, item_id: str) -> RowData:
        """What the list draws for one item."""
        item = self.store.get(item_id)
        if item is None:
            return RowData(title="(item no longer in the store)")
        return RowData(title=item["title"], tags=tuple(self.store.state.tags_of(item_id)),
                       unread=not self.store.state.is_read(item_id),
                       date=item["date"][:10] if item.get("date") else None,
                       highlights=tuple(self.highlight(item["title"])))


class IndexRows:
    """Rows read from the search index cache while the store's items are still
    loading: ids, titles and days come from index.bin, so a large store lists its
    items before items.json is parsed. The list is in the store's order (newest day
    first) and each id is decoded only when the list asks for its row: the first frame
    costs the same at 30,000 items as at 300,000."""

    def __init__(self, index: SearchIndex, store: Store) -> None:
        self.index = index
        self.store = store
        newest = index.newest_first()
        if newest is None:  # ordinals out of original order: every id and day, sorted
            ids, days = index.ids(), index.days()
            self.days = dict(zip(ids, days, strict=True)) if any(days) else {}
            self.ids: Sequence[str] = (
                sorted(ids, key=self.days.__getitem__, reverse=True) if self.days else ids)
        else:
            self.days = {}
            self.ids = _ListedIds(index, *newest, self.days)

    def row(self, item_id: str) -> RowData:
        """What the list draws for one item, until the store takes over."""
        try:
            title = self.index.title(item_id) or ""
        except ValueError:  # its titles damaged (checked as read): the store's come soon
            title = ""
        return RowData(title=title,
                       tags=tuple(self.store.state.tags_of(item_id)),
                       unread=not self.store.state.is_read(item_id),
                       date=self.days.get(item_id) or None)


class _ListedIds(Sequence[str]):
    """The ids at ``order``'s ordinals, decoded when asked for; each one handed out
    notes its day in ``days`` (the list asks for an id before it draws its row)."""

    def __init__(self, index: SearchIndex, order: Sequence[int],
                 starts: list[tuple[int, str]], days: dict[str, str]) -> None:
        self._index, self._order, self._days = index, order, days
        self._starts = [start for start, _ in starts]
        self._names = [day for _, day in starts]

    def __len__(self) -> int:
        return len(self._order)

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self._order)
        item_id = self._index.id_at(self._order[i])  # IndexError past the end, as a list
        day = self._names[bisect.bisect_right(self._starts, i) - 1]
        if day:
            self._days[item_id] = day
        return item_id


def preview_rows(store: Store) -> IndexRows | None:
    """What to list while a large store loads, from its index.bin: None without one.

    Only the sections it reads are checked, as they are read (the whole file's checksum
    is 0.3 s at 300,000 items, before any row shows); damage there just means no preview.
    """
    from store import load_index

    index = load_index(store.root, lazy=True)
    if index is None or not len(index):
        return None
    try:
        return IndexRows(index, store)
    except ValueError:  # a damaged section: no preview, the store loads as ever
        return None


def detail_for(store: Store, item_id: str | None,
               highlight: Highlighter = _no_highlights) -> Detail | None:
    """What the detail pane shows for one item (None when there is no item)."""
    item = store.get(item_id) if item_id else None
    if item is None:
        return None
    line = item.get("line")
    source = f"{item.get('source', '')}:{line}" if line else item.get("source", "")
    return Detail(
        item_id=item["id"],
        title=item["title"],
        body=item["body"],
        source=source,
        topics=item["topics"],
        tags=store.state.tags_of(item["id"]),
        reasons=store.reasons(item["id"]),
        highlights=tuple(highlight(item["body"])),
        extra=[(name, item[name]) for name in ("date", "url", "author", "feed")
               if item.get(name)],
    )


def with_feed_error(detail: Detail | None, sub: Subscription) -> Detail:
    """``detail`` (the item under the cursor, if any) saying why the feed's last fetch
    failed; with no item, a detail of the feed itself."""
    when = f" at {sub.last_fetched}" if sub.last_fetched else ""
    reason = f"failed{when}: {sub.error}"
    if detail is not None:
        return dataclasses.replace(detail, extra=[*detail.extra, ("fetch", reason)])
    return Detail(item_id="—", title=sub.name,
                  body=f"The last fetch of this feed {reason}\n\nR fetches every feed again; "
                  "`newsdesk feeds remove URL` unsubscribes.",
                  source=sub.url, extra=[("url", sub.url), ("fetch", reason)])


def copy_text(store: Store, ids: Sequence[str]) -> str:
    """What the copy key puts on the clipboard: per item its title (unless the body
    starts with it), body and id, items separated by a blank line. Plain text."""
    parts = []
    for item_id in ids:
        item = store.get(item_id)
        if item is None:
            continue
        title, body = sanitize_line(item["title"]), sanitize(item["body"])
        text = body if body.startswith(title.removesuffix("…")) else f"{title}\n\n{body}"
        parts.append(f"{text}\n\nid {item_id}")
    return "\n\n".join(parts) + "\n"
