"""Colour themes: the names a user may give, and the choice for a terminal that names none.

Textual draws its own themes in 24-bit colour and lets Rich bring them down to what
the terminal has. On a 16-colour terminal (TERM=xterm, screen, tmux, linux) that
maps many shades to one; the ``ansi`` theme instead uses the terminal's own
palette, so the user's colours (and their contrast choices) apply. Importing this
module is cheap; Textual's theme list is read only when a name is checked.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

DEFAULT_THEME = "textual-dark"
"""For terminals with 256 colours or more."""
ANSI_THEME = "ansi-dark"
"""Textual's theme over the terminal's own 16-colour palette."""
ALIASES = {"ansi": ANSI_THEME, "textual-ansi": ANSI_THEME}
"""Short names accepted by ``--theme`` and ``theme =`` in the config file."""


TEXTUAL_THEMES = (
    "ansi-dark", "ansi-light", "atom-one-dark", "atom-one-light", "catppuccin-frappe",
    "catppuccin-latte", "catppuccin-macchiato", "catppuccin-mocha", "dracula", "flexoki",
    "gruvbox", "monokai", "nord", "rose-pine", "rose-pine-dawn", "rose-pine-moon",
    "solarized-dark", "solarized-light", "textual-dark", "textual-light", "tokyo-night",
)
"""Textual 8.2's built-in themes (the version is pinned; tests/test_cli.py checks the
list against it), so every command checks ``--theme`` without importing Textual."""


class UnknownTheme(ValueError):
    """A theme name that is neither Textual's nor an alias; the message lists the choices."""


def theme_names() -> list[str]:
    """Every name ``resolve_theme`` accepts, aliases first."""
    from textual.theme import BUILTIN_THEMES

    return [*ALIASES, *sorted(BUILTIN_THEMES)]


def check_theme(name: str) -> str:
    """The theme ``name`` stands for, checked without importing Textual (for commands
    that never open the browser); UnknownTheme, listing the choices, if none."""
    wanted = name.strip().lower()
    wanted = ALIASES.get(wanted, wanted)
    if wanted in TEXTUAL_THEMES:
        return wanted
    choices = ", ".join([*ALIASES, *TEXTUAL_THEMES])
    raise UnknownTheme(f"unknown theme {name!r}; choose one of: {choices}")


def resolve_theme(name: str) -> str:
    """The Textual theme for ``name`` (an alias or a theme name); UnknownTheme if none."""
    from textual.theme import BUILTIN_THEMES

    wanted = name.strip().lower()
    wanted = ALIASES.get(wanted, wanted)
    if wanted in BUILTIN_THEMES:
        return wanted
    raise UnknownTheme(f"unknown theme {name!r}; choose one of: {', '.join(theme_names())}")


def terminal_colours(environ: Mapping[str, str] | None = None) -> int:
    """How many colours the terminal reports, the way Rich (and so Textual) decides it."""
    env = os.environ if environ is None else environ
    forced = env.get("TEXTUAL_COLOR_SYSTEM", "auto").lower()
    if forced in ("standard", "256", "truecolor"):
        return {"standard": 16, "256": 256, "truecolor": 1 << 24}[forced]
    if env.get("COLORTERM", "").strip().lower() in ("truecolor", "24bit"):
        return 1 << 24
    term = env.get("TERM", "").strip().lower()
    if term in ("dumb", "unknown"):
        return 0
    return 256 if term.rpartition("-")[2] in ("256color", "kitty") else 16


def auto_theme(environ: Mapping[str, str] | None = None) -> str:
    """The theme for a terminal whose user named none: its own palette below 256 colours."""
    return ANSI_THEME if terminal_colours(environ) < 256 else DEFAULT_THEME
