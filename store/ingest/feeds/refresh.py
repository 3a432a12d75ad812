"""Refreshing subscriptions: fetch every feed side by side, import each as it answers.

The network is never waited on under the store's lock. Every feed is fetched
first (``fetch.fetch_all``, in parallel); as each one answers, its bytes are
parsed, and only then is the lock taken for one short write: its items (new ones
added, changed ones refreshed in place, keeping id and tags) and what the fetch
found (validators, title, error, a moved URL). A slow or dead feed therefore holds
back neither the other feeds nor another session that wants to write.

The importer is handed in (``Store.import_records``): this package sits below the
store and knows it only by the shape of what it returns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from store.errors import StoreError
from store.ingest.feeds.fetch import (
    CONCURRENCY,
    DEFAULT_TIMEOUT,
    FetchRequest,
    FetchResult,
    fetch_all,
)
from store.ingest.feeds.parse import parse_answer
from store.ingest.feeds.subscriptions import Subscription, Subscriptions
from store.ingest.importers.records import Record
from store.model import now_iso


class ImportOutcome(Protocol):
    """What an import reports (``store.desk.ImportReport`` is one)."""

    added: int
    updated: int
    ids: list[str]


Importer = Callable[[list[Record]], ImportOutcome]
"""Adds the records (refreshing items already present); called under the lock."""


@dataclass
class FeedOutcome:
    """What one feed's fetch brought in, or why it failed: one line of ``fetch``."""

    url: str
    """The URL fetched (the subscription's before any move)."""
    name: str = ""
    new: int = 0
    updated: int = 0
    not_modified: bool = False
    moved_to: str | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return self.error is not None

    def line(self) -> str:
        """``URL: 3 new, 1 updated`` / ``URL: not modified`` / ``URL: failed: HTTP 404``."""
        if self.error is not None:
            return f"{self.url}: failed: {self.error}"
        if self.not_modified:
            what = "not modified (304)"
        elif self.new or self.updated:
            what = f"{self.new} new, {self.updated} updated"
        else:
            what = "nothing new"
        if self.moved_to:
            what += f"; moved permanently to {self.moved_to} (the subscription now uses it)"
        return f"{self.url}: {what}"


def _settle(result: FetchResult, sub: Subscription) -> tuple[FeedOutcome, list[Record], str | None]:
    """The outcome of one answer before importing: (outcome, records, channel title)."""
    outcome = FeedOutcome(result.request.url, sub.name, seconds=result.seconds)
    if result.error is not None:
        outcome.error = result.error
        return outcome, [], None
    outcome.moved_to = result.moved_to
    if result.not_modified:
        outcome.not_modified = True
        return outcome, [], None
    parsed = parse_answer(result.body, result.final_url, result.content_type)
    outcome.warnings = parsed.warnings
    if parsed.error is not None:
        outcome.error = parsed.error
        outcome.moved_to = None
        return outcome, [], None
    if parsed.title:
        outcome.name = parsed.title
    return outcome, parsed.records, parsed.title


def refresh(subscriptions: Subscriptions, import_records: Importer, *,
            urls: Sequence[str] | None = None, timeout: float = DEFAULT_TIMEOUT,
            concurrency: int = CONCURRENCY,
            on_feed: Callable[[FeedOutcome], Any] | None = None,
            cancelled: Callable[[], bool] | None = None,
            transport: Any = None) -> list[FeedOutcome]:
    """Fetch the subscribed feeds (all, or those in ``urls``) and import each one as
    soon as it answers; ``on_feed`` hears each outcome right after its write.

    One feed's failure (network, server, parse, even a full disk) is its outcome and
    never stops the others. ``cancelled`` (asked while waiting) stops early: the
    outcomes so far are returned, the feeds still out are left for the next fetch.
    """
    feeds = subscriptions.all()
    if urls is not None:
        wanted = {s.url for u in urls if (s := subscriptions.get(u)) is not None}
        feeds = [s for s in feeds if s.url in wanted]
    by_url = {s.url: s for s in feeds}
    requests = [FetchRequest(s.url, s.etag, s.last_modified) for s in feeds]
    outcomes: list[FeedOutcome] = []
    for result in fetch_all(requests, timeout=timeout, concurrency=concurrency,
                            transport=transport, cancelled=cancelled):
        sub = by_url[result.request.url]
        outcome, records, title = _settle(result, sub)
        full_answer = outcome.error is None and not outcome.not_modified
        try:
            with subscriptions.lock.hold():  # one short write per feed
                ids: list[str] = []
                if records:
                    report = import_records(records)
                    outcome.new, outcome.updated, ids = report.added, report.updated, report.ids
                subscriptions.record_fetch(
                    sub.url, at=now_iso(), error=outcome.error, title=title,
                    etag=result.etag, last_modified=result.last_modified,
                    validators=full_answer, ids=ids, moved_to=outcome.moved_to)
        except StoreError as exc:
            outcome.error = f"not saved: {exc}"
        outcomes.append(outcome)
        if on_feed is not None:
            on_feed(outcome)
    return outcomes
