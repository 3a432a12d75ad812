"""End to end: the installed `newsdesk` command in a real terminal (tmux).

80x24 is the main size; 60x20 and 40x12 check the small-terminal behaviour, and
TERM=xterm / screen / linux check that a 16-colour terminal gets an intact screen.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.waiting import wait_until

TMUX = shutil.which("tmux")
NEWSDESK = shutil.which("newsdesk", path=f"{Path(sys.executable).parent}{os.pathsep}"
                        f"{os.environ.get('PATH', '')}")

pytestmark = pytest.mark.e2e

if not (TMUX and NEWSDESK) and not os.environ.get("CI"):
    pytest.skip("needs tmux and the installed newsdesk command (CI installs both)",
                allow_module_level=True)


class Terminal:
    """A tmux session of a given size running one command."""

    def __init__(self, name: str, command: list[str], env: dict[str, str],
                 size: tuple[int, int] = (80, 24)) -> None:
        self.name = name
        self.socket = ["tmux", "-L", name]
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        # COLUMNS/LINES (set under pytest) would override the pane's real size.
        shell = f"env -u COLUMNS -u LINES {exports} {' '.join(command)}; echo EXITED $?; sleep 30"
        subprocess.run([*self.socket, "-f", "/dev/null", "new-session", "-d", "-s", name,
                        "-x", str(size[0]), "-y", str(size[1]), shell], check=True)

    def screen(self, escapes: bool = False) -> str:
        flags = ["-p", "-e"] if escapes else ["-p"]
        out = subprocess.run([*self.socket, "capture-pane", *flags, "-t", self.name],
                             capture_output=True, text=True, check=True)
        return out.stdout

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        """The screen, as soon as it shows ``text``."""
        return self.wait_for_screen(lambda screen: text in screen, timeout, f"{text!r}")

    def wait_for_re(self, pattern: str, timeout: float = 20.0) -> str:
        """The screen, as soon as ``pattern`` matches it."""
        return self.wait_for_screen(lambda screen: re.search(pattern, screen) is not None,
                                    timeout, f"a match of {pattern!r}")

    def wait_for_gone(self, text: str, timeout: float = 20.0) -> str:
        """The screen, as soon as it no longer shows ``text``."""
        return self.wait_for_screen(lambda screen: text not in screen, timeout,
                                    f"{text!r} to go")

    def wait_for_screen(self, holds: Callable[[str], bool], timeout: float, what: str) -> str:
        def shown() -> str | None:
            screen = self.screen()
            return screen if holds(screen) else None

        return wait_until(shown, timeout, what=lambda: f"{what}; screen was:\n{self.screen()}")

    def keys(self, *keys: str, literal: bool = False) -> None:
        flags = ["-l"] if literal else []
        subprocess.run([*self.socket, "send-keys", "-t", self.name, *flags, *keys], check=True)

    def tmux(self, *args: str) -> str:
        out = subprocess.run([*self.socket, *args], capture_output=True, text=True, check=True)
        return out.stdout

    def resize(self, columns: int, rows: int) -> None:
        self.tmux("resize-window", "-t", self.name, "-x", str(columns), "-y", str(rows))

    def close(self) -> None:
        subprocess.run([*self.socket, "kill-server"], capture_output=True)


_SESSIONS = itertools.count()
"""Every tmux server gets a name of its own: a killed one may linger a moment."""


@pytest.fixture
def terminal(tmp_path: Path):
    made: list[Terminal] = []

    def start(*args: str, size: tuple[int, int] = (80, 24), **env: str) -> Terminal:
        full_env = {"TERM": "xterm-256color", "NEWSDESK_CONFIG_DIR": str(tmp_path / "cfg"),
                    "HOME": str(tmp_path), "LANG": "C.UTF-8", **env}
        name = f"nd{os.getpid()}-{next(_SESSIONS)}"
        term = Terminal(name, [str(NEWSDESK), *args], full_env, size)
        made.append(term)
        return term

    yield start
    for term in made:
        term.close()


SEED_TITLE = "The United States and some European partners"


def test_installed_command_browses_the_seed_in_tmux(terminal, tmp_path: Path) -> None:
    store = tmp_path / "store"
    term = terminal("--store", str(store))
    screen = term.wait_for(SEED_TITLE)
    assert "All items (30)" in screen
    assert "Topics" in screen and "Untagged" in screen
    term.keys("j", "j", "j")
    term.wait_for("Lavrov called it a direct threat")
    term.keys("?")
    term.wait_for("Keys — Esc closes")
    term.keys("Escape")
    term.wait_for_gone("Esc closes")  # else the "q" lands in the help and only closes it
    term.keys("q")
    screen = term.wait_for("EXITED 0")
    assert "Traceback" not in screen


def test_a_tag_given_in_tmux_persists_to_the_next_launch(terminal, tmp_path: Path) -> None:
    store = tmp_path / "store"
    term = terminal("--store", str(store))
    term.wait_for(SEED_TITLE)
    term.keys("j", "j")
    term.wait_for("Macron plans")  # the third brief's second sentence: only its detail shows it
    term.keys("t")
    term.wait_for("Tag this item")
    term.keys("follow-up", literal=True)
    term.keys("Enter")
    term.wait_for_re(r"Tags\s+1\b")  # the tree counts the tagged item
    term.keys("q")
    assert "Traceback" not in term.wait_for("EXITED 0")

    again = terminal("--store", str(store))
    screen = again.wait_for(SEED_TITLE)
    assert re.search(r"Tags\s+1\b", screen), screen  # the tree's Tags group counts it
    again.keys("j", "j")
    again.wait_for("Macron plans")
    again.wait_for("follow-up")  # in the list's tags column
    again.keys("q")
    again.wait_for("EXITED 0")


def test_search_as_you_type_then_escape_in_tmux(terminal, tmp_path: Path) -> None:
    term = terminal("--store", str(tmp_path / "store"))
    term.wait_for(SEED_TITLE)
    term.keys("/")
    term.keys("tusk", literal=True)
    # the list and then (a frame later) the detail show the two matches; the first seed
    # brief, which does not name Tusk, leaves the screen
    screen = term.wait_for_screen(
        lambda shown: "Search in everything, best first (2)" in shown
        and SEED_TITLE not in shown, 20, "the two matches alone")
    assert "Polish Prime Minister Donald Tusk" in screen
    term.keys("Enter")
    term.keys("/")
    term.keys("Escape")
    screen = term.wait_for("All items (30)")
    assert SEED_TITLE in screen
    term.keys("q")
    assert "Traceback" not in term.wait_for("EXITED 0")


def test_60x20_folds_the_tree_and_keeps_the_list_readable(terminal, tmp_path: Path) -> None:
    term = terminal("--store", str(tmp_path / "store"), size=(60, 20))
    screen = term.wait_for(SEED_TITLE)
    assert "All items (30)" in screen and "Topics" not in screen
    assert "Detail" in screen
    term.keys("[")
    term.wait_for("Topics")
    term.keys("q")
    term.wait_for("EXITED 0")


def test_40x12_shows_the_too_small_hint_then_recovers(terminal, tmp_path: Path) -> None:
    term = terminal("--store", str(tmp_path / "store"), size=(40, 12))
    screen = term.wait_for("Terminal too small")
    assert "Traceback" not in screen
    term.resize(80, 24)
    screen = term.wait_for(SEED_TITLE)
    assert "All items (30)" in screen and "Terminal too small" not in screen
    term.resize(30, 8)
    term.wait_for("too small")
    term.resize(80, 24)
    term.wait_for(SEED_TITLE)
    term.keys("q")
    assert "Traceback" not in term.wait_for("EXITED 0")


@pytest.mark.parametrize("term_name", ["xterm", "screen", "tmux", "linux"])
def test_16_colour_terminals_render_the_seed_list(
    terminal, tmp_path: Path, term_name: str
) -> None:
    term = terminal("--store", str(tmp_path / "store"), TERM=term_name)
    term.wait_for(SEED_TITLE)
    term.wait_for("Untagged")  # a busy machine may show the frame half drawn at first
    corner = "┌" if term_name == "linux" else "╭"  # the console's font has no round corners
    screen = term.wait_for(corner)
    assert "All items (30)" in screen
    assert "\ufffd" not in screen and "\x1b" not in screen
    coloured = term.screen(escapes=True)
    assert not re.search(r"\x1b\[[0-9;]*38;2;", coloured)  # no 24-bit colour sent to them
    term.keys("j")
    term.wait_for("consultations on")  # the second brief's second sentence, in its detail
    term.keys("q")
    assert "Traceback" not in term.wait_for("EXITED 0")


def test_no_color_shows_the_cursor_in_reverse_video(terminal, tmp_path: Path) -> None:
    term = terminal("--store", str(tmp_path / "store"), NO_COLOR="1")
    term.wait_for(SEED_TITLE)
    coloured = term.screen(escapes=True)
    cursor_row = next(line for line in coloured.splitlines() if "The United States" in line)
    assert re.search(r"\x1b\[[0-9;]*\b7[;m]", cursor_row), cursor_row  # SGR 7: reverse
    # Monochrome: every colour left is a grey (Textual turns colours into their lightness).
    greys = {0, 7, 8, 15, 16, 59, 102, 145, 188, 231, *range(232, 256)}
    for code in re.findall(r"\x1b\[([0-9;]*)m", coloured):
        parts = code.split(";")
        for i, part in enumerate(parts[:-2]):
            if part in ("38", "48") and parts[i + 1] == "5":
                assert int(parts[i + 2]) in greys, code
            if part in ("38", "48") and parts[i + 1] == "2":
                assert len(set(parts[i + 2:i + 5])) == 1, code
    term.keys("q")
    term.wait_for("EXITED 0")


def test_copy_reaches_tmux_through_osc52(terminal, tmp_path: Path) -> None:
    term = terminal("--store", str(tmp_path / "store"))
    term.tmux("set-option", "-g", "set-clipboard", "on")
    term.wait_for(SEED_TITLE)
    term.keys("y")
    term.wait_for("Copied")
    copied = term.tmux("show-buffer")
    assert copied.startswith(SEED_TITLE) and re.search(r"\nid [0-9a-f]{12}", copied)
    term.keys("q")
    term.wait_for("EXITED 0")


def test_no_mouse_flag_starts_and_quits(terminal, tmp_path: Path) -> None:
    term = terminal("--no-mouse", "--theme", "ansi", "--store", str(tmp_path / "store"))
    term.wait_for(SEED_TITLE)
    assert term.tmux("display-message", "-p", "-t", term.name, "#{mouse_any_flag}").strip() \
        == "0"
    term.keys("q")
    term.wait_for("EXITED 0")
