"""Settings: defaults here, overridden by ``config.toml`` in the user config folder.

Plain Python (``tomllib``), no Textual: ``newsdesk config show`` and every CLI
command that looks up the default store read it and must start fast.

A value that is wrong keeps its default and becomes a ``ConfigProblem`` naming the
key and its line; the rest of the file still applies. A file that is not TOML
gives one problem with tomllib's line and column, and every default. Nothing
ever writes the config file: a broken one is left exactly as it is.

    store = "~/news/store"          # the store when there is no --store / $NEWSDESK_STORE
    theme = "gruvbox"               # a Textual theme name
    mouse = false                   # let the terminal keep the mouse (select, copy)
    columns = ["title", "date"]     # item list columns (title always; tags, date)
    confirm_threshold = 20          # bulk changes on more items than this ask first
    mark_read_after = 2             # seconds the cursor rests on an item before it is
                                    # read (0: only when opened with Enter; false: same)
    poll_interval = 1.0             # seconds between looks for other sessions' changes
    max_item_chars = 1000000        # longer item texts are cut on import (with a note)
    fetch_timeout = 20              # seconds one feed may take (`newsdesk fetch`, R)
    refresh_minutes = 30            # refresh the feeds this often while the app is open

    [keys]                          # binding id = key(s); see `?` in the app for ids
    "main.tag" = "T"
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from store import config_dir

CONFIG_NAME = "config.toml"
COLUMNS = ("title", "tags", "date")
"""The item list's columns; ``title`` is always shown."""


@dataclass(frozen=True)
class ConfigProblem:
    """Something in the config file that was not applied, and where."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


@dataclass
class Settings:
    """What a user can tune without touching code."""

    mark_read_after: float | None = 2.0
    """Seconds the list cursor must rest on an item (the list focused, no search being
    typed) for it to become read; 0 or None (false in the file): only opening it with
    Enter reads it."""
    confirm_threshold: int = 20
    """Operations on more items than this ask first."""
    poll_interval: float = 1.0
    """How often to look for changes made by another session (seconds)."""
    max_item_chars: int = 1_000_000
    """An imported text longer than this is cut at a word boundary (store.ingest.limits)."""
    fetch_timeout: float = 20.0
    """Seconds one feed may take to answer, body included (``fetch --timeout`` wins)."""
    refresh_minutes: float | None = None
    """Refresh every feed this often while the app is open; None: only on ``R``."""
    store: Path | None = None
    """The store folder when neither --store nor $NEWSDESK_STORE names one."""
    theme: str | None = None
    """Colour theme by name (``ansi``: the terminal's own palette); None: chosen for the
    terminal (``ansi`` when it reports 16 colours, else ``textual-dark``)."""
    mouse: bool = True
    """Whether the app takes the mouse (false leaves selection to the terminal)."""
    columns: tuple[str, ...] = COLUMNS
    """Item list columns to show (from COLUMNS; the title is always there)."""
    keys: dict[str, str] = field(default_factory=dict)
    """Keymap overrides: binding id -> key string (applied with ``App.set_keymap``)."""
    key_lines: dict[str, int] = field(default_factory=dict)
    """Where each ``[keys]`` entry is in the file, to point at one the app rejects."""
    problems: list[ConfigProblem] = field(default_factory=list)
    """What could not be applied from the file."""
    path: Path | None = None
    """The file these settings were read from (it may not exist)."""


def config_file() -> Path:
    """Where the settings file lives: ``config.toml`` in the user config folder."""
    return config_dir() / CONFIG_NAME


# -- checking values ------------------------------------------------------------------


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _store(value: object) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a folder path in quotes")
    return Path(value).expanduser()


def _theme(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a theme name in quotes")
    return value.strip()


def _mouse(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _confirm_threshold(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError("must be a whole number, 0 or more")
    return value


def _mark_read_after(value: object) -> float | None:
    if value is False:
        return None
    if not _is_number(value) or value < 0:  # type: ignore[operator]
        raise ValueError("must be a number of seconds, 0 or more, or false for never")
    return float(value)  # type: ignore[arg-type]


def _poll_interval(value: object) -> float:
    if not _is_number(value) or not 0.1 <= value <= 3600:  # type: ignore[operator]
        raise ValueError("must be a number of seconds from 0.1 to 3600")
    return float(value)  # type: ignore[arg-type]


def _max_item_chars(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1000:
        raise ValueError("must be a whole number of characters, 1000 or more")
    return value


def _fetch_timeout(value: object) -> float:
    if not _is_number(value) or not 0.1 <= value <= 600:  # type: ignore[operator]
        raise ValueError("must be a number of seconds from 0.1 to 600")
    return float(value)  # type: ignore[arg-type]


def _refresh_minutes(value: object) -> float | None:
    if value is False:
        return None
    if not _is_number(value) or not 1 <= value <= 7 * 24 * 60:  # type: ignore[operator]
        raise ValueError("must be a number of minutes from 1 to 10080, or false for never")
    return float(value)  # type: ignore[arg-type]


def _columns(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"must be a list of column names ({', '.join(COLUMNS)})")
    unknown = [v for v in value if v not in COLUMNS]
    if unknown:
        raise ValueError(f"unknown column {unknown[0]!r} (columns: {', '.join(COLUMNS)})")
    return tuple(c for c in COLUMNS if c in value or c == "title")


_KEY_PART = re.compile(r"[^\s,]+")

_CHECKS: dict[str, Callable[[object], Any]] = {
    "store": _store,
    "theme": _theme,
    "mouse": _mouse,
    "columns": _columns,
    "confirm_threshold": _confirm_threshold,
    "mark_read_after": _mark_read_after,
    "poll_interval": _poll_interval,
    "max_item_chars": _max_item_chars,
    "fetch_timeout": _fetch_timeout,
    "refresh_minutes": _refresh_minutes,
}


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"main": {"tag": "T"}}`` (from an unquoted ``main.tag = "T"``) -> ``{"main.tag": "T"}``."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def find_line(text: str, key: str, table: str | None = None) -> int | None:
    """The 1-based line where ``key`` is set (in ``[table]``, or at the top), if found.

    tomllib gives no positions for values, so this scans the text: enough to point
    a user at the line, not a TOML parser.
    """
    current: str | None = None
    forms = [r"\s*\.\s*".join(re.escape(part) for part in key.split(".")),
             f'"{re.escape(key)}"', f"'{re.escape(key)}'"]
    pattern = re.compile(rf"\s*(?:{'|'.join(forms)})\s*=")
    header = re.compile(r"\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
    for number, line in enumerate(text.splitlines(), start=1):
        m = header.match(line)
        if m:
            current = m.group(1).strip().strip('"')
            continue
        if current == table and pattern.match(line):
            return number
    return None


# -- loading --------------------------------------------------------------------------


def load_settings(path: Path | None = None) -> Settings:
    """Settings from ``path`` (default: ``config_file()``); never raises.

    A missing file means every default, silently; anything else that is wrong is
    in ``settings.problems``.
    """
    path = path or config_file()
    settings = Settings(path=path)

    def problem(line: int | None, message: str) -> None:
        settings.problems.append(ConfigProblem(path, line, message))

    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return settings
    except OSError as exc:
        problem(None, f"cannot be read ({exc.strerror or exc}); using the defaults")
        return settings
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        problem(None, f"is not UTF-8 (byte {exc.start + 1}); using the defaults")
        return settings
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"at line (\d+)", str(exc))
        problem(int(m.group(1)) if m else None,
                f"not valid TOML: {exc}; using the defaults for everything")
        return settings

    defaults = Settings()
    for key, value in data.items():
        line = find_line(text, key)
        if key == "keys":
            _load_keys(settings, value, text, problem)
        elif key in _CHECKS:
            try:
                setattr(settings, key, _CHECKS[key](value))
            except ValueError as reason:
                default = getattr(defaults, key)
                shown = _toml_value(default) if default is not None else "not set"
                problem(line, f"{key} {reason}; using the default ({shown})")
        else:
            known = ", ".join([*_CHECKS, "keys"])
            problem(line, f"unknown setting {key!r}, ignored (settings: {known})")
    return settings


def _load_keys(settings: Settings, value: object, text: str,
               problem: Callable[[int | None, str], None]) -> None:
    if not isinstance(value, dict):
        problem(find_line(text, "keys"), "keys must be a table: [keys] then "
                '"binding.id" = "key" lines; no key was changed')
        return
    for binding, keys in _flatten(value).items():
        line = find_line(text, binding, "keys")
        if not isinstance(keys, str) or not keys.strip():
            problem(line, f"[keys] {binding} must be a key name in quotes, like \"ctrl+t\" "
                    "(several: \"t,ctrl+t\"); that binding keeps its key")
            continue
        parts = [p.strip() for p in keys.split(",")]
        if not all(_KEY_PART.fullmatch(p) for p in parts):
            problem(line, f"[keys] {binding}: {keys!r} is not a key or a comma-separated "
                    "list of keys; that binding keeps its key")
            continue
        settings.keys[binding] = ",".join(parts)
        if line:
            settings.key_lines[binding] = line


# -- showing --------------------------------------------------------------------------


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "false"
    if isinstance(value, Path | str):
        return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return str(value)


def to_toml(settings: Settings) -> str:
    """The effective settings as TOML (what ``config show`` prints)."""
    lines: list[str] = []
    for f in fields(Settings):
        if f.name not in _CHECKS:
            continue
        value = getattr(settings, f.name)
        if value is None and f.name in ("store", "theme", "refresh_minutes"):
            lines.append(f"# {f.name} is not set (the default applies)")
        else:
            lines.append(f"{f.name} = {_toml_value(value)}")
    lines += ["", "[keys]"]
    lines += [f"{_toml_value(k)} = {_toml_value(v)}" for k, v in settings.keys.items()]
    return "\n".join(lines) + "\n"


def value_problem(settings: Settings, key: str, message: str) -> ConfigProblem:
    """A problem with the value of top-level ``key`` found after loading (e.g. an unknown
    theme, which only the app can check), pointing at its line in the file."""
    line = None
    if settings.path is not None and settings.path.is_file():
        try:
            line = find_line(settings.path.read_text(encoding="utf-8"), key)
        except (OSError, UnicodeDecodeError):
            line = None
    return ConfigProblem(settings.path or config_file(), line, message)
