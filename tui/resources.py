"""Where the stylesheets live, installed (``tui/styles``) or in a checkout (``styles/``)."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def styles_dir() -> Path:
    """The folder holding ``app.tcss``."""
    installed = _HERE / "styles"
    return installed if installed.is_dir() else _HERE.parent / "styles"
