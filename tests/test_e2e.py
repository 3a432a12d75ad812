"""End to end: the installed `newsdesk` command in a real terminal (tmux), 80x24."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
NEWSDESK = shutil.which("newsdesk", path=f"{Path(sys.executable).parent}{os.pathsep}"
                        f"{os.environ.get('PATH', '')}")

if not (TMUX and NEWSDESK) and not os.environ.get("CI"):
    pytest.skip("needs tmux and the installed newsdesk command (CI installs both)",
                allow_module_level=True)


class Terminal:
    """A tmux session of a given size running one command."""

    def __init__(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.name = name
        self.socket = ["tmux", "-L", name]
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        shell = f"env {exports} {' '.join(command)}; echo EXITED $?; sleep 30"
        subprocess.run([*self.socket, "new-session", "-d", "-s", name, "-x", "80", "-y", "24",
                        shell], check=True)

    def screen(self) -> str:
        out = subprocess.run([*self.socket, "capture-pane", "-p", "-t", self.name],
                             capture_output=True, text=True, check=True)
        return out.stdout

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; screen was:\n{self.screen()}")

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.socket, "send-keys", "-t", self.name, *keys], check=True)

    def close(self) -> None:
        subprocess.run([*self.socket, "kill-server"], capture_output=True)


@pytest.fixture
def terminal(tmp_path: Path):
    made: list[Terminal] = []

    def start(*args: str) -> Terminal:
        env = {"TERM": "xterm-256color", "NEWSDESK_CONFIG_DIR": str(tmp_path / "cfg"),
               "HOME": str(tmp_path)}
        term = Terminal(f"nd{os.getpid()}{len(made)}", [str(NEWSDESK), *args], env)
        made.append(term)
        return term

    yield start
    for term in made:
        term.close()


def test_installed_command_browses_the_seed_in_tmux(terminal, tmp_path: Path) -> None:
    store = tmp_path / "store"
    term = terminal("--store", str(store))
    screen = term.wait_for("All items (30)")
    assert "The United States and some European partners" in screen
    assert "Topics" in screen and "Untagged" in screen
    term.keys("j", "j", "j")
    term.wait_for("Lavrov called it a direct threat")
    term.keys("?")
    term.wait_for("Keys")
    term.keys("Escape")
    time.sleep(0.5)
    term.keys("q")
    screen = term.wait_for("EXITED 0")
    assert "Traceback" not in screen
