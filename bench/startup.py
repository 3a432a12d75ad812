"""Time from launch to the first frame: newsdesk on the seed store vs a minimal Textual app.

Each program is started N times, alternately (so both see the same machine load), in
a pseudo-terminal of 80x24; the time is taken when the screen text written so far
first contains the expected words ("All items" for newsdesk, "Hello minimal" for the
minimal app). Prints median and p95 of each and the ratio of the medians.

    python bench/startup.py               # 10 runs each, this checkout
    python bench/startup.py -n 20 --command newsdesk
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.ptyterm import PtyTerminal  # noqa: E402
from bench.terminal import app_env, percentile  # noqa: E402

MINIMAL_APP = '''
from textual.app import App
from textual.widgets import Static


class Minimal(App):
    def compose(self):
        yield Static("Hello minimal")


Minimal().run()
'''


def time_to_text(argv: list[str], text: str, env: dict[str, str]) -> float:
    """Seconds from launch until ``text`` is on screen."""
    with PtyTerminal(argv, size=(80, 24), env=env) as term:
        return term.read_until(text, timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--runs", type=int, default=10)
    parser.add_argument("--command", default=None,
                        help="how to start newsdesk (default: this checkout via python -m tui)")
    args = parser.parse_args(argv)
    command = shlex.split(args.command) if args.command else [sys.executable, "-m", "tui"]
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        env = app_env(home)
        minimal = home / "minimal.py"
        minimal.write_text(MINIMAL_APP, encoding="utf-8")
        store = home / "store"
        PtyTerminal([*command, "--store", str(store), "init"], env=env).wait(60)
        runs = {"minimal": [], "newsdesk": []}
        time_to_text([sys.executable, str(minimal)], "Hello minimal", env)  # warm the caches
        time_to_text([*command, "--store", str(store)], "All items", env)
        for _ in range(args.runs):
            runs["minimal"].append(time_to_text([sys.executable, str(minimal)],
                                                "Hello minimal", env))
            runs["newsdesk"].append(time_to_text([*command, "--store", str(store)],
                                                 "All items", env))
    print(f"{'program':>9} {'runs':>5} {'median ms':>10} {'p95 ms':>8} {'min ms':>7}")
    for name, values in runs.items():
        print(f"{name:>9} {len(values):>5} {statistics.median(values) * 1000:>10.0f} "
              f"{percentile(values, 0.95) * 1000:>8.0f} {min(values) * 1000:>7.0f}")
    ratio = statistics.median(runs["newsdesk"]) / statistics.median(runs["minimal"])
    print(f"ratio newsdesk/minimal (medians): {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
