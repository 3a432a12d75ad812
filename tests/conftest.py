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
