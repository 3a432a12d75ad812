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
