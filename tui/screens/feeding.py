"""FeedActions: the main screen's ``R`` (refresh every feed) and ``refresh_minutes``.

A mixin of ``MainScreen``: the fetch runs in a worker with a Store of its own, which
writes each feed's items as that feed answers (a short locked write each); the screen
picks them up as it picks up another session's changes, so the UI thread never waits
on the network or the lock.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.widgets import Static

from store import StoreError, sanitize_line
from tui.screens.tagging import plural

# Mixed into MainScreen, whose attributes (store, settings, item_list, view, _write…)
# its methods use; it never imports the screen, so the two modules do not loop.
_Base = object


class FeedActions(_Base):
    """``R`` and the refresh timer (see the module docstring)."""

    def action_refresh_feeds(self) -> None:
        """Fetch every subscribed feed in a worker; each feed's items show as it answers."""
        if self._refuse_readonly():
            return
        if self._fetching:
            self.notify("Already refreshing the feeds.", timeout=3)
            return
        feeds = self.store.feeds.all()
        if not feeds:
            self.notify("No feeds yet: `newsdesk feeds add URL` subscribes to one.", timeout=6)
            return
        self._fetching = True
        self._show_fetch_status(f"Refreshing {plural(len(feeds), 'feed')}…")
        self._fetch_feeds(len(feeds))

    def _timed_refresh(self) -> None:
        if not self._fetching and not self.store.readonly and self.store.feeds.all():
            self.action_refresh_feeds()

    @work(thread=True, group="feeds")
    def _fetch_feeds(self, total: int) -> None:
        """The fetch, off the UI thread: a Store of its own writes each feed's items
        (the app's store picks them up like another session's, in ``_poll``), so the
        UI thread never waits on the network or the lock."""
        from textual.worker import get_current_worker

        from store import Store

        worker = get_current_worker()
        done = 0

        def answered(outcome) -> None:  # noqa: ANN001 - a FeedOutcome
            nonlocal done
            done += 1
            if not worker.is_cancelled:
                self.app.call_from_thread(self._feed_answered, outcome, done, total)

        try:
            writer = Store(self.store.root, rules=self.store.rules)
            outcomes = writer.fetch_feeds(timeout=self.settings.fetch_timeout,
                                          on_feed=answered,
                                          cancelled=lambda: worker.is_cancelled)
        except StoreError as exc:
            outcomes, error = [], str(exc)
        else:
            error = None
        if not worker.is_cancelled:  # the app is quitting: nothing left to tell
            self.app.call_from_thread(self._feeds_done, outcomes, error)

    def _show_fetch_status(self, text: str | None) -> None:
        status = self.query_one("#feeds-status", Static)
        status.update(Text(text or ""))
        status.set_class(text is not None, "-active")

    def _feed_answered(self, outcome, done: int, total: int) -> None:  # noqa: ANN001
        self._show_fetch_status(f"Refreshing feeds: {done} of {total} answered · "
                                f"{sanitize_line(outcome.line())[:120]}")
        self._poll()  # its items, now, not at the next poll

    def _feeds_done(self, outcomes: list, error: str | None) -> None:
        self._fetching = False
        self._show_fetch_status(None)
        self._poll()
        if error is not None:
            self.notify(error, title="Feeds not refreshed", severity="error", timeout=8)
            return
        failed = [o for o in outcomes if o.failed]
        new = sum(o.new for o in outcomes)
        updated = sum(o.updated for o in outcomes)
        text = f"Feeds: {new} new, {updated} updated"
        if failed:
            text += f", {len(failed)} failed:\n" + "\n".join(
                sanitize_line(o.line())[:160] for o in failed[:5])
        self.notify(text, severity="warning" if failed else "information",
                    timeout=8 if failed else 4)

