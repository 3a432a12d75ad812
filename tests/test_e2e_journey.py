"""End to end, issue 16: one journey through the real command in tmux at 80x24:
import, browse, open and go back, search (lowercase or), tag, undo, a new tag node
that must not move the place, quit, reopen.

Runs the installed ``newsdesk`` when there is one (CI), else ``python -m tui`` from
this checkout. Waits look at the screen until the text appears; the only pause is
the short one between two looks.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from store.desk import Store
from tests.conftest import REPO

TMUX = shutil.which("tmux")
INSTALLED = shutil.which("newsdesk", path=f"{Path(sys.executable).parent}{os.pathsep}"
                         f"{os.environ.get('PATH', '')}")
COMMAND = [INSTALLED] if INSTALLED else [sys.executable, "-m", "tui"]
SEED_TITLE = "The United States and some European partners"

pytestmark = [pytest.mark.e2e, pytest.mark.slow,
              pytest.mark.skipif(TMUX is None, reason="needs tmux")]


class Pane:
    """One tmux server and session running one command."""

    def __init__(self, name: str, args: list[str], env: dict[str, str]) -> None:
        self.socket = ["tmux", "-L", name]
        self.name = name
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        shell = (f"cd {REPO} && env -u COLUMNS -u LINES {exports} "
                 f"{' '.join([*COMMAND, *args])}; echo EXITED $?; read wait")
        subprocess.run([*self.socket, "-f", "/dev/null", "new-session", "-d", "-s", name,
                        "-x", "80", "-y", "24", shell], check=True)

    def screen(self) -> str:
        return subprocess.run([*self.socket, "capture-pane", "-p", "-t", self.name],
                              capture_output=True, text=True, check=True).stdout

    def wait_for(self, pattern: str, gone: bool = False, timeout: float = 30.0) -> str:
        """The screen once ``pattern`` (a regex) is on it (with ``gone``: off it)."""
        deadline = time.monotonic() + timeout
        look = threading.Event()
        while time.monotonic() < deadline:
            screen = self.screen()
            if bool(re.search(pattern, screen)) != gone:
                return screen
            look.wait(0.1)  # between two looks at the screen
        raise AssertionError(f"{pattern!r} {'stayed' if gone else 'never came'}:\n"
                             f"{self.screen()}")

    def keys(self, *keys: str, literal: bool = False) -> None:
        flags = ["-l"] if literal else []
        subprocess.run([*self.socket, "send-keys", "-t", self.name, *flags, *keys], check=True)

    def close(self) -> None:
        subprocess.run([*self.socket, "kill-server"], capture_output=True)


@pytest.fixture
def pane(tmp_path: Path):
    made: list[Pane] = []

    def start(*args: str) -> Pane:
        env = {"TERM": "xterm-256color", "NEWSDESK_CONFIG_DIR": str(tmp_path / "cfg"),
               "HOME": str(tmp_path), "LANG": "C.UTF-8"}
        made.append(Pane(f"ndj{os.getpid()}-{len(made)}", list(args), env))
        return made[-1]

    yield start
    for p in made:
        p.close()


def test_import_browse_search_tag_undo_quit_reopen(pane, tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    extra = tmp_path / "extra.txt"
    extra.write_text("Quarterly harvest figures rose across the northern farms.\n",
                     encoding="utf-8")
    out = subprocess.run([*COMMAND, "--store", str(store_dir), "import", str(extra)],
                         cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "1 added" in out.stdout, out.stderr
    expected = Store.open(store_dir).count("nato OR russia")

    term = pane("--store", str(store_dir))
    term.wait_for(SEED_TITLE)
    term.wait_for(r"All items \(31\)")
    term.keys("j", "j", "Enter")  # open the third item: the detail takes the focus
    term.wait_for("Macron plans to hold a series")
    term.wait_for("Back to the list")  # the reader view at 80x24
    term.keys("Escape")
    term.wait_for(r"All items \(31\)")  # back in the list (and Esc is not Alt+/)
    term.keys("/")
    term.keys("nato or russia", literal=True)
    term.wait_for(rf"best first \({expected}\)")
    term.keys("Enter")
    term.keys("t")
    term.wait_for("Tag this item")
    term.keys("journey", literal=True)
    term.keys("Enter")
    term.wait_for(r"\+journey on 1 item")
    screen = term.wait_for(rf"best first \({expected}\)")  # the search and its place stay
    term.keys("u")
    term.wait_for(r"undo \+journey")
    term.keys("t")
    term.wait_for("Tag this item")
    term.keys("kept", literal=True)
    term.keys("Enter")
    term.wait_for(r"\+kept on 1 item")
    screen = term.wait_for(rf"best first \({expected}\)")
    assert "Traceback" not in screen
    term.keys("Escape")  # leave the search from the list
    term.wait_for(r"All items \(31\)")
    term.wait_for(r"Search in", gone=True)
    term.keys("g", "j", "j", "j", "j")  # the fifth brief: the place to come back to
    term.wait_for("Europe has lost influence")
    term.keys("q")
    assert "Traceback" not in term.wait_for("EXITED 0")

    again = pane("--store", str(store_dir))
    again.wait_for("Europe has lost influence")  # back on the item it was left on
    screen = again.wait_for(r"Tags\s+1\b")  # the tag survived; the undone one did not
    assert "journey" not in screen
    assert Store.open(store_dir).state.tag_counts() == {"kept": 1}
    again.keys("u")  # the quit session is gone: its change is undoable here
    again.wait_for(r"undo \+kept")
    again.keys("q")
    again.wait_for("EXITED 0")
    assert Store.open(store_dir).state.tag_counts() == {}
