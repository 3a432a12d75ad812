"""Shared fixtures: every test gets its own store folder and config folder."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEED_BRIEFS = REPO / "seeds" / "briefs.txt"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the user's real store or config."""
    monkeypatch.setenv("NEWSDESK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("NEWSDESK_STORE", str(tmp_path / "default-store"))


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def seed_lines() -> list[str]:
    return SEED_BRIEFS.read_text(encoding="utf-8").splitlines()


@pytest.fixture
def feed_server():  # -> Iterator[tests.feed_server.FeedServer]
    """A real HTTP server on 127.0.0.1 (never the internet) for the feed tests."""
    from tests.feed_server import serve

    yield from serve()


@pytest.fixture(autouse=True)
def pause_settles_store_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """``await pilot.pause()`` also waits for the app's store jobs (tag writes, read
    marks, polls, imports: they run in workers, in order, see tui/writes.py), so a test
    that presses a key and then looks at the store sees the change landed. A user sees
    the same: the change shows once it is durable."""
    from textual.pilot import Pilot

    original = Pilot.pause

    async def pause(self: Pilot, delay: float | None = None) -> None:
        await original(self, delay)
        for _ in range(1000):  # bounded: a job that never ends fails the test, not CI
            jobs = [w for w in self.app.workers if w.group == "store-jobs"
                    and not w.is_finished]
            if not jobs:
                break
            for worker in jobs:
                await worker.wait()
            await original(self, None)  # their results reach the UI thread

    monkeypatch.setattr(Pilot, "pause", pause)


async def until(pilot, condition, what: str = "the condition", tries: int = 400) -> None:
    """Let the app run (frames, timers, workers) until ``condition()`` holds: waiting on
    what a test needs, never for a fixed time. Fails, naming ``what``, if it never does."""
    import asyncio

    for _ in range(tries):
        if condition():
            return
        await pilot.pause()
        await asyncio.sleep(0.005)  # let timers come due between frames
    raise AssertionError(f"waited in vain for {what}")
