"""Bytes written to the terminal per cursor move in the item list (a slow SSH link's cost).

Runs newsdesk in a pseudo-terminal on a fresh seed store, waits until the screen has
settled, then presses j (and k) many times, reading everything the app writes after
each key until it goes quiet. Prints a table (median, p95, max) per terminal size.

    python bench/terminal.py                    # 120x40 and 80x24, this checkout
    python bench/terminal.py --moves 200 --size 120x40
    python bench/terminal.py --command newsdesk # the installed command instead
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.ptyterm import PtyTerminal  # noqa: E402

SEED_ITEMS = 30


def app_env(home: Path, term: str = "xterm-256color", **extra: str) -> dict[str, str]:
    """A clean environment: own HOME, config and store; nothing from the caller's terminal."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TERM": term,
        "NEWSDESK_CONFIG_DIR": str(home / "config"),
        "NEWSDESK_STORE": str(home / "store"),
        "PYTHONPATH": str(REPO),
    }
    env.update(extra)
    return env


def percentile(values: list[int] | list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def measure_moves(
    command: list[str], size: tuple[int, int], moves: int, *, idle: float = 0.08
) -> list[int]:
    """Bytes written after each of ``moves`` cursor moves (j down the list, k back up)."""
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        with PtyTerminal([*command, "--store", str(home / "store")], size=size,
                         env=app_env(home)) as term:
            term.read_until("All items (30)")
            term.read_idle(0.5)  # let the first frames, focus and the read timer settle
            sizes: list[int] = []
            position = 0
            for n in range(moves):
                # Walk down to the end and back: every move changes the item shown.
                down = (n // (SEED_ITEMS - 1)) % 2 == 0
                term.send("j" if down else "k")
                position += 1 if down else -1
                sizes.append(len(term.read_idle(idle)))
            term.send("q")
            term.wait()
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--command", default=None,
                        help="how to start newsdesk (default: this checkout via python -m tui)")
    parser.add_argument("--moves", type=int, default=120)
    parser.add_argument("--size", action="append", default=None,
                        help="COLSxROWS (repeatable; default 120x40 and 80x24)")
    args = parser.parse_args(argv)
    command = shlex.split(args.command) if args.command else [sys.executable, "-m", "tui"]
    sizes = args.size or ["120x40", "80x24"]
    print(f"{'size':>8} {'moves':>6} {'median B':>9} {'p95 B':>7} {'max B':>7} {'mean B':>7}")
    for text in sizes:
        cols, rows = (int(v) for v in text.lower().split("x"))
        values = measure_moves(command, (cols, rows), args.moves)
        print(f"{text:>8} {len(values):>6} {statistics.median(values):>9.0f} "
              f"{percentile(values, 0.95):>7.0f} {max(values):>7} "
              f"{statistics.fmean(values):>7.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
