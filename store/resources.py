"""Where the shipped seed data lives, installed or in a source checkout.

In the wheel, ``seeds/`` travels inside the package as ``store/seeds/``; in a
checkout it is the top-level ``seeds/`` folder beside ``store/``.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def seed_file(name: str) -> Path:
    """Path of a shipped seed file (``briefs.txt``, ``topics.toml``)."""
    installed = _HERE / "seeds" / name
    if installed.is_file():
        return installed
    return _HERE.parent / "seeds" / name
