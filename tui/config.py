"""Settings for the TUI. Defaults here; the config file (TOML) can override them."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

CONFIG_FILE = "config.toml"
"""The settings file in the config folder (``~/.config/newsdesk``, ``$NEWSDESK_CONFIG_DIR``)."""


class ConfigError(ValueError):
    """The config file cannot be read or sets something wrongly; the message says where."""


@dataclass
class Settings:
    """What a user can tune without touching code."""

    mark_read_after: float | None = 1.0
    """Seconds an item must stay in the detail pane to become read; None: never."""
    confirm_threshold: int = 20
    """Operations on more items than this ask first."""
    poll_interval: float = 1.0
    """How often to look for changes made by another session (seconds)."""
    theme: str | None = None
    """Colour theme by name (``ansi``: the terminal's own palette); None: chosen for the
    terminal (``ansi`` when it reports 16 colours, else ``textual-dark``)."""
    mouse: bool = True
    """Capture the mouse; False leaves it to the terminal, so its text selection works."""


def load_settings(path: Path | None = None) -> Settings:
    """Settings from the config file; defaults where it says nothing (or does not exist).

    Top-level keys named like the fields of ``Settings`` (``theme = "ansi"``,
    ``mouse = false`` …); other keys are left to whoever reads them.
    """
    import tomllib

    from store.paths import config_dir

    path = path or config_dir() / CONFIG_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    settings = Settings()
    for field in fields(Settings):
        if field.name not in data:
            continue
        value, default = data[field.name], getattr(settings, field.name)
        kind = type(default) if default is not None else str
        ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
        if kind is float:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok:
            raise ConfigError(f"{path}: {field.name} must be a {kind.__name__}, "
                              f"not {value!r}")
        setattr(settings, field.name, value)
    return settings
