"""Store jobs leave the UI thread: they run in order, and a key is answered while the
store's lock is held elsewhere (another process importing)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from store.desk import Store
from store.disk.atomic import StoreLock
from tui.app import make_app
from tui.config import Settings
from tui.widgets.item_list import ItemList
from tui.writes import SerialJobs

QUIET = Settings(mark_read_after=None)


def test_jobs_run_in_ticket_order_whatever_thread_starts_first() -> None:
    jobs = SerialJobs()
    tickets = [jobs.ticket() for _ in range(5)]
    ran: list[int] = []
    threads = [threading.Thread(target=jobs.run, args=(t, lambda t=t: ran.append(t)))
               for t in tickets]
    for thread in reversed(threads):  # the last ticket's thread starts first
        thread.start()
    for thread in threads:
        thread.join(10)
    assert ran == tickets and jobs.pending == 0


def test_a_failed_job_lets_the_next_one_run() -> None:
    jobs = SerialJobs()
    first, second = jobs.ticket(), jobs.ticket()

    def boom() -> None:
        raise ValueError("disk full")

    with pytest.raises(ValueError):
        jobs.run(first, boom)
    assert jobs.run(second, lambda: "ran") == "ran"


async def test_keys_are_answered_while_another_process_holds_the_lock(store_dir: Path) -> None:
    store = Store.open(store_dir)
    first = store.ids()[0]
    app = make_app(store, QUIET)
    held, release = threading.Event(), threading.Event()

    def other_session() -> None:  # like an import writing items.json, in another process
        with StoreLock(store_dir / "lock").hold():
            held.set()
            release.wait(20)

    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        holder = threading.Thread(target=other_session)
        holder.start()
        assert held.wait(10)
        items = app.screen.query_one(ItemList)
        await pilot.press("t", *"follow-up", "enter")  # the write waits for the lock…
        await pilot.press("j", "j")  # …and the list still moves: the UI thread never did
        assert items.cursor == 2
        assert store.state.tags_of(first) == []  # not written yet: the lock is held
        release.set()
        holder.join(10)
        await pilot.pause()  # (waits for the store jobs, see conftest)
        assert store.state.tags_of(first) == ["follow-up"]
        assert Store.open(store_dir).state.tags_of(first) == ["follow-up"]
