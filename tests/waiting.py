"""Waiting on conditions, never on the clock.

A test that sleeps a fixed time and then looks is slow when the machine is idle and
flaky when it is busy. Every helper here waits for the condition itself, returns as
soon as it holds, and is bounded by a deadline: a wait that runs out fails the test
with what it was waiting for, instead of letting it go on against a half-done state.

* ``wait_until(predicate, timeout)``: another thread, process or terminal (tmux).
* ``pilot_until(pilot, predicate, timeout)``: a Textual app under ``run_test``; each
  turn is ``pilot.pause()``, which lets the app handle its pending messages (and its
  timers come due) before the predicate is asked again.
* ``read_lines(fd, count, timeout)``: a child process's progress reports over a pipe.
"""

from __future__ import annotations

import os
import select
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

POLL = 0.02
"""Seconds between two looks in ``wait_until`` (it returns at the first look that holds)."""


_NEVER_SET = threading.Event()
"""Nobody sets it: ``_NEVER_SET.wait(s)`` paces ``wait_until``'s looks."""


def wait_until(predicate: Callable[[], T], timeout: float = 10.0, *,
               what: str | Callable[[], str] = "the condition") -> T:
    """Ask ``predicate`` until it returns something true, and return that.

    Raises AssertionError naming ``what`` (a string, or a function giving one, such as
    the screen at that moment) when ``timeout`` seconds pass first.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        left = deadline - time.monotonic()
        if left <= 0:
            detail = what() if callable(what) else what
            raise AssertionError(f"waited {timeout} s for {detail}")
        _NEVER_SET.wait(min(POLL, left))


async def pilot_until(pilot: Any, predicate: Callable[[], T], timeout: float = 10.0, *,
                      what: str | Callable[[], str] = "the condition") -> T:
    """``wait_until`` for an app under ``run_test``: between two looks the app runs."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            detail = what() if callable(what) else what
            raise AssertionError(f"waited {timeout} s for {detail}")
        await pilot.pause()


def read_lines(fd: int, count: int, timeout: float = 30.0, data: bytes = b"") -> bytes:
    """Read from ``fd`` until ``count`` whole lines have come (or the writer closed it).

    Returns everything read, added to ``data`` (what an earlier call had already read):
    the lines asked for and whatever came with the last chunk.
    """
    deadline = time.monotonic() + timeout
    while data.count(b"\n") < count:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"waited {timeout} s for {count} lines; got {data[-200:]!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:  # the writer exited
            break
        data += chunk
    return data


def report_each_fsync(fd: int) -> None:
    """In a child process: write ``F`` to ``fd`` after every ``os.fsync``.

    Each file made durable becomes a point the parent can wait for (``read_lines``) and
    then kill the child at: a crash test picks its moments from the child's own progress
    instead of from a random sleep.
    """
    fsync = os.fsync

    def reporting_fsync(target: Any) -> None:
        fsync(target)
        os.write(fd, b"F\n")

    os.fsync = reporting_fsync
