"""Subscriptions: the feeds a store follows, kept apart from the items, as user state is.

On disk, beside ``items.json``::

    feeds.json    {"_meta": {"1": {"schema": 1}}, "feeds": {URL: {...}, ...}}

One entry per feed, in the order they were subscribed: its URL, the channel's title,
a folder (``""`` at the top, ``News/Tech`` nested), what the last fetch said (when,
and the error, None when it worked), the validators a conditional GET sends back
(ETag, Last-Modified), and the ids of the items it brought in (so the tree and
``feeds list`` count them; the items themselves never point at a feed URL, which
can move).

Every change is made under the store's lock after re-reading the file, and the
file is replaced atomically (``store.disk.atomic``), so two sessions, or a cron fetch
and a running TUI, never overwrite each other's subscriptions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from store.disk.atomic import AtomicJSONStorage, StoreLock, file_signature
from store.disk.layout import FEEDS_FILE
from store.errors import ReadOnlyStoreError, StoreError, StoreFormatError
from store.text.clean import sanitize_line

FEEDS_SCHEMA = 1
_META, _FEEDS = "_meta", "feeds"


class FeedURLError(StoreError):
    """A URL that is not an http(s) address with a host."""


def normalize_url(url: str) -> str:
    """``url`` trimmed, with its scheme and host in lower case; FeedURLError when it is
    not an http or https URL with a host. Path and query are kept exactly."""
    text = sanitize_line(url).strip()
    try:
        parts = urlsplit(text)
    except ValueError as exc:
        raise FeedURLError(f"{text!r} is not a URL ({exc}).") from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in text:
        raise FeedURLError(f"{text!r} is not a feed address: give an http:// or https:// URL.")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                       parts.query, ""))


def clean_folder(name: str | None) -> str:
    """A folder path: parts trimmed and joined by ``/``, empty parts dropped."""
    parts = (" ".join(sanitize_line(p).split()) for p in (name or "").split("/"))
    return "/".join(p for p in parts if p)


@dataclass
class Subscription:
    """One feed the store follows."""

    url: str
    title: str = ""
    """The channel's title from its last good fetch (or the OPML outline's), else ""."""
    folder: str = ""
    """``""`` at the top; nested folders as ``News/Tech``."""
    added_at: str = ""
    last_fetched: str | None = None
    """ISO-8601 UTC of the last fetch that got an answer or failed."""
    error: str | None = None
    """Why the last fetch failed; None when it worked (or there was none yet)."""
    etag: str | None = None
    last_modified: str | None = None
    ids: list[str] = field(default_factory=list)
    """The items this feed brought in, oldest first."""

    @property
    def name(self) -> str:
        """What to call it: its title, else its URL."""
        return self.title or self.url

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "title": self.title, "folder": self.folder,
                "added_at": self.added_at, "last_fetched": self.last_fetched,
                "error": self.error, "etag": self.etag, "last_modified": self.last_modified,
                "ids": self.ids}

    @classmethod
    def from_json(cls, data: dict[str, Any], path: Path) -> Subscription:
        def text(key: str, optional: bool = True) -> str | None:
            value = data.get(key)
            if value is None and optional:
                return None
            if not isinstance(value, str):
                raise StoreFormatError(path, f"a feed has a wrong {key!r}")
            return value

        ids = data.get("ids", [])
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise StoreFormatError(path, "a feed has a wrong 'ids'")
        return cls(url=text("url", optional=False) or "", title=text("title") or "",
                   folder=text("folder") or "", added_at=text("added_at") or "",
                   last_fetched=text("last_fetched"), error=text("error"),
                   etag=text("etag"), last_modified=text("last_modified"), ids=list(ids))


class Subscriptions:
    """The store's ``feeds.json``: read when it changed, written under the lock."""

    def __init__(self, root: Path, lock: StoreLock, *, readonly: bool = False) -> None:
        self.path = Path(root) / FEEDS_FILE
        self.lock = lock
        self.readonly = readonly
        self._storage = AtomicJSONStorage(self.path, kind="feeds")
        self._feeds: dict[str, Subscription] = {}
        self._signature: object = object()
        self.problem: str | None = None
        """Why feeds.json could not be read (the last good list is kept meanwhile, and
        nothing writes over the file: ``change`` raises)."""

    # -- reading -------------------------------------------------------------------

    def _read(self) -> dict[str, Subscription]:
        data = self._storage.read()
        if data is None:
            return {}
        meta = data.get(_META, {}).get("1")
        if not isinstance(meta, dict) or not isinstance(meta.get("schema"), int):
            raise StoreFormatError(self.path, "it has no schema version, so it is not a "
                                   "newsdesk feed list")
        if meta["schema"] > FEEDS_SCHEMA:
            raise StoreFormatError(self.path, f"it was written by a newer newsdesk (schema "
                                   f"{meta['schema']})", "Upgrade newsdesk; the file has "
                                   "not been changed.")
        table = data.get(_FEEDS, {})
        return {url: Subscription.from_json(doc, self.path) for url, doc in table.items()}

    def sync(self) -> bool:
        """Re-read the file if another process (or this one) changed it; True if it did.
        Cheap when nothing changed: one stat."""
        signature = file_signature(self.path)
        if signature == self._signature:
            return False
        try:
            self._feeds, self.problem = self._read(), None
        except StoreFormatError as exc:  # said once, not on every look (the TUI polls)
            self.problem = str(exc)
        self._signature = signature
        return True

    def all(self) -> list[Subscription]:
        """Every subscription, in the order they were made."""
        self.sync()
        return list(self._feeds.values())

    def get(self, url: str) -> Subscription | None:
        """The subscription to ``url`` (compared after ``normalize_url``), or None."""
        self.sync()
        found = self._feeds.get(url)
        if found is None:
            try:
                found = self._feeds.get(normalize_url(url))
            except FeedURLError:
                return None
        return found

    # -- writing -------------------------------------------------------------------

    def change(self, edit: Callable[[dict[str, Subscription]], Any]) -> Any:
        """Run ``edit`` on the latest subscriptions (URL -> Subscription, in order; it may
        change, add, remove or reorder them) and write the result: under the store's
        lock, after re-reading the file. Returns what ``edit`` returns."""
        if self.readonly:
            raise ReadOnlyStoreError(self.path.parent)
        with self.lock.hold():
            feeds = self._read()
            result = edit(feeds)
            self._storage.write({
                _META: {"1": {"schema": FEEDS_SCHEMA}},
                _FEEDS: {sub.url: sub.to_json() for sub in feeds.values()},
            })
            self._feeds = feeds
            self._signature = file_signature(self.path)
        return result

    def add(self, url: str, *, folder: str | None = None, title: str = "",
            now: str = "") -> tuple[Subscription, bool]:
        """Subscribe to ``url``; returns the subscription and whether it is new. An
        existing one keeps everything but moves to ``folder`` when one is given."""
        added = self.add_many([(url, title, folder)], now=now)
        sub = self.get(url)
        assert sub is not None
        return sub, bool(added)

    def add_many(self, feeds: Iterable[tuple[str, str, str | None]], *,
                 now: str = "") -> list[Subscription]:
        """Subscribe to every (url, title, folder) in one write; returns the new ones.
        FeedURLError (before anything is written) for a URL that is not one."""
        wanted = [(normalize_url(url), " ".join(sanitize_line(title or "").split()), folder)
                  for url, title, folder in feeds]

        def edit(current: dict[str, Subscription]) -> list[Subscription]:
            new = []
            for url, title, folder in wanted:
                sub = current.get(url)
                if sub is None:
                    sub = current[url] = Subscription(url, title=title,
                                                      folder=clean_folder(folder), added_at=now)
                    new.append(sub)
                elif folder is not None:
                    sub.folder = clean_folder(folder)
            return new

        return self.change(edit)

    def remove(self, url: str) -> Subscription | None:
        """Unsubscribe; the feed's items and their tags stay. None when not subscribed."""
        sub = self.get(url)
        if sub is None:
            return None

        def edit(current: dict[str, Subscription]) -> Subscription | None:
            return current.pop(sub.url, None)

        return self.change(edit)

    def record_fetch(self, url: str, *, at: str, error: str | None = None,
                     title: str | None = None, etag: str | None = None,
                     last_modified: str | None = None, validators: bool = False,
                     ids: Sequence[str] = (), moved_to: str | None = None) -> None:
        """Write what one fetch of ``url`` found. ``validators``: replace the ETag and
        Last-Modified with these (a full answer); ``moved_to``: a permanent redirect,
        so the subscription takes that URL (merging into it if it is subscribed too)."""

        def edit(current: dict[str, Subscription]) -> None:
            sub = current.get(url)
            if sub is None:  # unsubscribed while it was fetched: leave it so
                return
            sub.last_fetched, sub.error = at, error
            if title:
                sub.title = title
            if validators:
                sub.etag, sub.last_modified = etag, last_modified
            known = set(sub.ids)
            sub.ids.extend(i for i in dict.fromkeys(ids) if i not in known)
            if moved_to and moved_to != url:
                _move(current, url, moved_to)

        self.change(edit)


def _move(feeds: dict[str, Subscription], old: str, new: str) -> None:
    """Give the subscription at ``old`` the URL ``new``, in place (same position)."""
    sub = feeds[old]
    other = feeds.get(new)
    if other is not None:  # already subscribed there: one subscription, both items
        known = set(other.ids)
        other.ids.extend(i for i in sub.ids if i not in known)
        del feeds[old]
        return
    sub.url = new
    items = [(new if key == old else key, value) for key, value in feeds.items()]
    feeds.clear()
    feeds.update(items)
