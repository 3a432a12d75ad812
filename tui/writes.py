"""Store jobs off the UI thread, one at a time and in the order they were asked for.

A tag, a read mark, an undo, a poll for another session's changes and an import all
take the store's cross-process lock and fsync the disk, so none of them may run on
the UI thread: while another process imports, the lock can be busy for a moment, and
a key must still be answered at once. Each job runs in a worker thread of its own,
but they must not overtake each other (``t`` then ``u`` must tag, then undo), so each
gets a ticket when it is asked for and waits for its turn. Plain Python: the screen
wraps it in Textual workers, and a test drives it with threads alone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class SerialJobs:
    """Run jobs from any thread strictly in ticket order."""

    def __init__(self) -> None:
        self._turn = threading.Condition()
        self._issued = 0  # the next ticket to hand out
        self._serving = 0  # the ticket whose job may run now

    def ticket(self) -> int:
        """Take a place in the line (on the thread that decides the order: the UI's)."""
        with self._turn:
            ticket = self._issued
            self._issued += 1
            return ticket

    def run(self, ticket: int, job: Callable[[], T]) -> T:
        """Wait for ``ticket``'s turn, run ``job``, then let the next one go (also when
        the job raised, so one failed write never blocks the ones after it)."""
        with self._turn:
            self._turn.wait_for(lambda: self._serving == ticket)
        try:
            return job()
        finally:
            with self._turn:
                self._serving += 1
                self._turn.notify_all()

    @property
    def pending(self) -> int:
        """How many jobs are asked for and not yet done."""
        with self._turn:
            return self._issued - self._serving
