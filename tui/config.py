"""Settings for the TUI. Defaults here; the config file (TOML) can override them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Settings:
    """What a user can tune without touching code."""

    mark_read_after: float | None = 1.0
    """Seconds an item must stay in the detail pane to become read; None: never."""
    confirm_threshold: int = 20
    """Operations on more items than this ask first."""
    poll_interval: float = 1.0
    """How often to look for changes made by another session (seconds)."""
