"""The installed `newsdesk` in a real pseudo-terminal: what exactly reaches the terminal.

Hostile item text must arrive as inert characters, never as escape sequences; the
mouse is captured only when allowed; copying goes out as one OSC 52; and a cursor
move costs few bytes. These check the byte stream itself, not a rendered screen.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from bench.ptyterm import ESCAPE_SEQUENCE, PtyTerminal, screen_text
from bench.terminal import app_env, measure_moves

NEWSDESK = shutil.which("newsdesk", path=f"{Path(sys.executable).parent}{os.pathsep}"
                        f"{os.environ.get('PATH', '')}")

pytestmark = pytest.mark.e2e

if not NEWSDESK and not os.environ.get("CI"):
    pytest.skip("needs the installed newsdesk command (CI installs it)",
                allow_module_level=True)

CLIPBOARD_PAYLOAD = base64.b64encode(b"pwned-clipboard").decode()
HOSTILE = [
    f"Clipboard grab \x1b]52;c;{CLIPBOARD_PAYLOAD}\x07 in the middle of a brief.",
    "Window title \x1b]0;pwned-title\x07 set by a brief, and \x1b]2;pwned-title2\x1b\\ too.",
    "A hidden link \x1b]8;;http://evil.example/osc8\x1b\\click here\x1b]8;;\x1b\\ in text.",
    "Clear screen \x1b[2J\x1b[H and \x1b[31mred\x1b[0m and a cursor jump \x1b[999;999H here.",
    "C1 controls \u009b31m red and \u009d0;pwned-c1\u009c and \u0085 next line.",
    "Bidi \u202eevil-override\u202c and \u2066isolate\u2069 and C0 \x07 bell \x08 back.",
    "Markup [@click=app.quit]quit[/] and [link=http://evil.example/markup]link[/link].",
]
PAYLOADS = [CLIPBOARD_PAYLOAD, "pwned", "evil.example"]


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(NEWSDESK), *args], env=env, capture_output=True, text=True,
                          timeout=60)


@pytest.fixture(params=["imported", "raw-in-store-file"])
def hostile_store(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A store whose items carry the HOSTILE lines: imported (the importer cleans them),
    or also written back raw into items.json, so the screen's own defences are tested."""
    env = app_env(tmp_path)
    store = tmp_path / "store"
    src = tmp_path / "hostile.txt"
    src.write_text("\n".join(HOSTILE) + "\n", encoding="utf-8")
    assert run_cli("--store", str(store), "init", "--empty", env=env).returncode == 0
    done = run_cli("--store", str(store), "import", str(src), env=env)
    assert done.returncode == 0, done.stderr
    ids = run_cli("--store", str(store), "list", env=env).stdout.split()
    tagged = run_cli("--store", str(store), "tag", ids[0], "+[bold]pwned-tag[/bold]", env=env)
    assert tagged.returncode == 0, tagged.stderr
    if request.param == "raw-in-store-file":
        path = store / "items.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        for item in data["items"].values():
            raw = HOSTILE[item["line"] - 1]
            item["title"], item["body"] = raw[:60], raw
            item["topics"] = ["Topic \x1b]0;pwned-topic\x07 \u009b2J"]
        path.write_text(json.dumps(data), encoding="utf-8")
    return store, env


def test_hostile_text_never_reaches_the_terminal_as_a_sequence(hostile_store) -> None:
    store, env = hostile_store
    with PtyTerminal([str(NEWSDESK), "--store", str(store)], size=(100, 30), env=env) as term:
        term.read_until(f"All items ({len(HOSTILE)})")
        for _ in HOSTILE:  # every item through the list and the detail pane
            term.send("j")
            term.read_idle(0.15)
        term.send("\t")  # focus the detail pane, scroll it
        term.send("j")
        term.read_idle(0.15)
        term.send("\x1b[Z")  # shift+tab back, then the tree with its hostile tag
        term.send("\x1b[Z")
        for _ in range(12):
            term.send("j")
        term.read_idle(0.3)
        term.send("q")
        assert term.wait() == 0
        out = bytes(term.output)

    shown = screen_text(out)
    # The items were on screen, as text: what is left of each sequence is printable.
    assert "]0;pwned-title" in shown and "[@click=app.quit]quit[/]" in shown
    assert "pwned-tag" in shown
    # No escape sequence carries anything that came from an item.
    for match in ESCAPE_SEQUENCE.finditer(out):
        sequence = match.group()
        assert not any(p.encode() in sequence for p in PAYLOADS), sequence
    for forbidden in (b"\x1b]52;", b"\x1b]0;pwned", b"\x1b]2;pwned", b"\x1b]8;;http://evil",
                      b"\x1b[2J", b"\x1b[999;999H"):
        assert forbidden not in out, forbidden
    # No raw C1 controls (UTF-8 encoded U+0080..U+009F) and no bidi controls at all.
    assert not re.search(rb"\xc2[\x80-\x9f]", out)
    for bidi in ("\u202e", "\u202c", "\u2066", "\u2069"):
        assert bidi.encode() not in out
    # BEL and BS only ever end Textual's own OSC sequences; none is loose in the text.
    assert b"\x08" not in out
    assert b"\x07" not in ESCAPE_SEQUENCE.sub(b"", out)


def test_the_copy_key_sends_one_osc52_with_the_item(hostile_store) -> None:
    store, env = hostile_store
    with PtyTerminal([str(NEWSDESK), "--store", str(store)], size=(100, 30), env=env) as term:
        term.read_until("All items")
        term.read_idle(0.3)
        start = len(term.output)
        term.send("y")
        term.read_until("Copied", since=start)
        term.send("q")
        term.wait()
        out = bytes(term.output[start:])
    copies = re.findall(rb"\x1b\]52;c;([A-Za-z0-9+/=]*)\x07", out)
    assert len(copies) == 1
    text = base64.b64decode(copies[0]).decode()
    assert "Clipboard grab" in text and "\x1b" not in text and "\x07" not in text
    assert re.search(r"\nid [0-9a-f]{12}\n$", text)


@pytest.mark.parametrize(("flag", "captured"), [((), True), (("--no-mouse",), False)])
def test_mouse_capture_only_when_allowed(
    tmp_path: Path, flag: tuple[str, ...], captured: bool
) -> None:
    env = app_env(tmp_path)
    argv = [str(NEWSDESK), *flag, "--store", str(tmp_path / "store")]
    with PtyTerminal(argv, size=(80, 24), env=env) as term:
        term.read_until("All items (30)")
        term.send("q")
        assert term.wait() == 0
        out = bytes(term.output)
    assert (b"\x1b[?1000h" in out) is captured
    assert (b"\x1b[?1003h" in out) is captured


def test_config_file_turns_the_mouse_off(tmp_path: Path) -> None:
    env = app_env(tmp_path)
    config = Path(env["NEWSDESK_CONFIG_DIR"])
    config.mkdir()
    (config / "config.toml").write_text("mouse = false\n", encoding="utf-8")
    with PtyTerminal([str(NEWSDESK), "--store", str(tmp_path / "store")], env=env) as term:
        term.read_until("All items (30)")
        term.send("q")
        term.wait()
        assert b"\x1b[?1000h" not in term.output


def test_a_cursor_move_costs_few_bytes() -> None:
    """Loose guard for bench/terminal.py (measured: about 2 KB at 120x40)."""
    sizes = measure_moves([str(NEWSDESK)], (120, 40), 40)
    assert statistics.median(sizes) < 4096, sizes


def test_a_resize_below_the_minimum_and_back(tmp_path: Path) -> None:
    env = app_env(tmp_path)
    with PtyTerminal([str(NEWSDESK), "--store", str(tmp_path / "store")], size=(80, 24),
                     env=env) as term:
        term.read_until("All items (30)")
        for columns, rows in ((40, 12), (10, 4), (1, 1), (60, 20), (80, 24)):
            start = len(term.output)
            term.resize(columns, rows)
            if (columns, rows) == (40, 12):  # waits for it: a loaded machine draws late
                term.read_until("Terminal too small", timeout=10, since=start)
            else:
                term.read_idle(0.3)
        term.read_until("All items (30)", since=start)
        term.send("q")
        assert term.wait() == 0
        assert b"Traceback" not in term.output


def test_the_first_search_after_a_big_import_says_it_builds_the_index(tmp_path: Path) -> None:
    """An import does not build index.bin; the first search does, which takes a while
    on a big store: in a terminal the user is told so instead of facing silence."""
    from store.desk import Store

    root = tmp_path / "store"
    src = tmp_path / "many.txt"
    src.write_text("".join(f"Brief {n}: Donald Tusk spoke in Warsaw.\n" for n in range(2100)))
    Store.open(root, seed=False).import_files([src])
    assert not (root / "index.bin").exists()
    env = app_env(tmp_path)
    with PtyTerminal([str(NEWSDESK), "--store", str(root), "search", "tusk", "--count"],
                     env=env) as term:
        term.read_until("building the search index for 2,100 items")
        assert term.wait(60) == 0
        assert "2100" in screen_text(bytes(term.output))
    assert (root / "index.bin").exists()
    again = subprocess.run([str(NEWSDESK), "--store", str(root), "search", "tusk", "--count"],
                           capture_output=True, text=True, env=env, check=True)
    assert again.stdout.strip() == "2100" and not again.stderr  # no message in a pipe
