"""Does the TUI answer keys while another process imports into its store? (issue 14)

    python bench/responsive.py               # 20,000 items imported meanwhile
    python bench/responsive.py --quick       # 2,000 (a smoke run, well under a minute)
    python bench/responsive.py --items 200000 --key-timeout 60
    python bench/responsive.py --command newsdesk   # the installed command

What it does, all through the real command in real processes:

1. makes a store in a temporary folder (``init --empty``, then ``import`` of
   a few hundred synthetic briefs) and writes ``big.jsonl`` with ``--items``
   more (``bench/search.py``'s ``generate_items``: varied, realistic text);
2. starts the TUI on the store in a pseudo-terminal of 120x40, follows its
   screen with a small terminal emulator (``bench/vtscreen.py``) and waits for
   the first frame with the items;
3. **idle**: sends keys at intervals and times each one until the screen shows
   its effect: ``j``/``k`` (the cursor's row moved), ``t`` (the tag dialog is
   open), typing a tag name (it shows in the dialog), Enter (the dialog closed
   and the tag shows: its toast, the detail or the list row);
4. **import**: the same keys while ``newsdesk --store DIR import big.jsonl``
   runs in a second process; then **after**: the same for ``--after`` seconds
   once the import has ended (the TUI picks up the new items then);
5. **CLI**: ``newsdesk --store DIR tag ID +TAG`` timed as a whole process, with
   nothing else running and then while a second import (another ``--items``
   items) runs.

Then it reads ``tags --json`` and reports whether every tag given (in the TUI
and by the CLI) is in the store, and whether "busy" (``StoreBusyError``) or
"Not saved" ever showed on the screen or on the CLI's stderr.

A key that gets no answer within ``--key-timeout`` seconds counts as that long
(the table marks the row with ``>``): the figure is a lower bound then. Keys are
counted in the import phase only if the import was still running when they were
sent. The imported items are dated a year before the store's, so with the
list newest first they land below the rows the cursor moves on.
The target of issue 14: every key answered in at most 250 ms during the import.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.ptyterm import PtyTerminal  # noqa: E402
from bench.vtscreen import VTScreen  # noqa: E402

COLS, ROWS = 120, 40
TARGET_MS = 250.0
DIALOG = "Tag this item"
FAILURE_WORDS = ("busy", "Not saved")
ACTIONS = ("j/k: cursor row moved", "t: tag dialog open", "type tag name: echoed",
           "enter: tag shown", "j/k right after the Enter")
CLI_ACTION = "cli: tag ID +TAG (process)"


class BenchError(RuntimeError):
    """Something the benchmark needs did not happen; the message says what."""


# -- setup -------------------------------------------------------------------------------


def app_env(home: Path) -> dict[str, str]:
    """A clean environment: its own HOME and settings; this checkout importable."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TERM": "xterm-256color",
        "NEWSDESK_CONFIG_DIR": str(home / "config"),
        "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }


def write_jsonl(path: Path, n: int, seed: int, year: int) -> None:
    """``n`` synthetic briefs as JSON lines (title, text, date, feed)."""
    from bench.search import generate_items

    items, _ = generate_items(n, seed=seed)
    with path.open("w", encoding="utf-8") as out:
        for item in items:
            out.write(json.dumps({
                "title": item["title"], "text": item["body"],
                "date": f"{year}{item['date'][4:]}", "feed": item["source"],
            }) + "\n")


def _die_with_parent() -> None:
    """In a child: be killed if the benchmark dies without cleaning up (Linux)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def run_cli(command: list[str], store: Path, args: list[str], env: dict[str, str],
            timeout: float) -> subprocess.CompletedProcess[str]:
    """One CLI call that must succeed within ``timeout`` seconds."""
    argv = [*command, "--store", str(store), *args]
    try:
        done = subprocess.run(argv, env=env, cwd=REPO, capture_output=True, text=True,
                              timeout=timeout, preexec_fn=_die_with_parent)
    except subprocess.TimeoutExpired:
        raise BenchError(f"`{shlex.join(argv)}` took more than {timeout:g} s") from None
    if done.returncode != 0:
        raise BenchError(f"`{shlex.join(argv)}` failed ({done.returncode}):\n"
                         f"{(done.stderr or done.stdout)[-2000:]}")
    return done


class Background:
    """A process (the import) with its output in files; always ended on close."""

    def __init__(self, argv: list[str], env: dict[str, str], folder: Path, name: str) -> None:
        self.argv = argv
        self.out_path, self.err_path = folder / f"{name}.out", folder / f"{name}.err"
        self._out = self.out_path.open("w")
        self._err = self.err_path.open("w")
        self.started = time.perf_counter()
        self.ended: float | None = None
        self.proc = subprocess.Popen(argv, env=env, cwd=REPO, stdout=self._out,
                                     stderr=self._err, stdin=subprocess.DEVNULL,
                                     start_new_session=True, preexec_fn=_die_with_parent)

    def running(self) -> bool:
        if self.proc.poll() is None:
            return True
        if self.ended is None:
            self.ended = time.perf_counter()
        return False

    def seconds(self) -> float:
        return (self.ended or time.perf_counter()) - self.started

    def wait(self, timeout: float) -> int:
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise BenchError(f"`{shlex.join(self.argv)}` still running after "
                             f"{timeout:g} s") from None
        self.running()
        return code

    def output(self) -> str:
        return self.out_path.read_text(errors="replace") + self.err_path.read_text(
            errors="replace")

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._out.close()
        self._err.close()


# -- the TUI's screen ----------------------------------------------------------------------


class Tui:
    """The TUI in a pty, its screen followed cell by cell."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.term = PtyTerminal(argv, size=(COLS, ROWS), env=env, cwd=str(REPO))
        self.screen = VTScreen(COLS, ROWS)
        self.list_column: int | None = None  # a column inside the item list
        self.failures: list[str] = []  # "busy" / "Not saved" as seen on screen
        self.timeout_screens: list[str] = []  # what the screen showed when a key timed out
        # answers still awaited while other keys are sent: (done, report(ms, late), sent)
        self.watchers: list[tuple[Callable[[], bool], Callable[[float, bool], None],
                                  float]] = []

    def close(self) -> None:
        self.term.close()

    def pump(self, timeout: float) -> bool:
        """Read what arrives within ``timeout`` s into the screen; True if anything did."""
        data = self.term.read(timeout)
        if not data:
            if self.term.proc.poll() is not None:
                raise BenchError(f"the TUI exited ({self.term.proc.returncode}); "
                                 f"last screen:\n{self.screen.text()}")
            return False
        self.screen.feed(data)
        text = self.screen.text()
        for word in FAILURE_WORDS:
            if word in text:
                snippet = next(line.strip() for line in text.splitlines() if word in line)
                if not self.failures or self.failures[-1] != snippet:
                    self.failures.append(snippet)
        now = time.perf_counter()
        for watcher in list(self.watchers):
            done, report, sent = watcher
            if done():
                self.watchers.remove(watcher)
                report((now - sent) * 1000, False)
        return True

    def watch(self, done: Callable[[], bool], report: Callable[[float, bool], None],
              sent: float) -> None:
        """Call ``report(ms since sent, False)`` as soon as ``done()`` holds."""
        self.watchers.append((done, report, sent))

    def drain(self, timeout: float) -> None:
        """Wait for every watched answer; those not there after ``timeout`` s time out."""
        self.wait_until(lambda: not self.watchers, timeout)
        for _, report, sent in self.watchers:
            report((time.perf_counter() - sent) * 1000, True)
        self.watchers.clear()

    def pump_for(self, seconds: float) -> None:
        end = time.perf_counter() + seconds
        while (left := end - time.perf_counter()) > 0:
            self.pump(min(left, 0.05))

    def wait_until(self, done: Callable[[], bool], timeout: float) -> bool:
        """Pump until ``done()``; False after ``timeout`` seconds."""
        end = time.perf_counter() + timeout
        while not done():
            left = end - time.perf_counter()
            if left <= 0:
                return False
            self.pump(min(left, 0.02))
        return True

    def text(self) -> str:
        return self.screen.text()

    # the item list: its border title on row 0 names it ("All items, newest first (300)")
    def find_list(self) -> bool:
        top = self.screen.line(0)
        match = re.search(r"─ (?:All items|Items)[^─]*\((\d[\d,]*)", top)
        if not match:
            return False
        self.list_column = match.start() + 4
        return True

    def cursor_row(self) -> int | None:
        """The screen row with the list's cursor: the one whose background differs."""
        if self.list_column is None:
            return None
        column = self.list_column
        rows = range(1, ROWS - 2)
        backgrounds = [self.screen.background(r, column) for r in rows]
        common = statistics.mode(backgrounds)
        odd = [r for r, bg in zip(rows, backgrounds, strict=True) if bg != common]
        return odd[0] if len(odd) == 1 else None

    def row_text(self, row: int) -> str:
        column = self.list_column or 0
        return self.screen.line(row)[column:column + 40]


# -- measurements --------------------------------------------------------------------------


@dataclass
class Sample:
    action: str
    phase: str
    ms: float
    timed_out: bool = False
    note: str = ""
    at: float = field(default_factory=time.perf_counter)  # when it was answered


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    tags_given: dict[str, str] = field(default_factory=dict)  # tag -> phase
    cli_failures: list[str] = field(default_factory=list)
    import_seconds: dict[str, float] = field(default_factory=dict)
    tag_ops: int = 0
    import_started: dict[str, float] = field(default_factory=dict)  # "tui"/"cli": when


Phase = Callable[[], str]
"""The phase a key sent now belongs to ("import" only while the import runs)."""


def timed_key(tui: Tui, key: str, done: Callable[[], bool], timeout: float, phase: Phase
              ) -> tuple[float, bool, str]:
    """Send ``key``; the ms until ``done()`` holds, whether it timed out, and the phase
    when it was sent."""
    sent_in = phase()
    t0 = time.perf_counter()
    tui.term.send(key)
    ok = tui.wait_until(done, timeout)
    if not ok:
        tui.timeout_screens.append(f"{key!r} sent in phase {sent_in}, no answer in "
                                   f"{timeout:g} s; the screen then:\n{tui.text()}")
    return (time.perf_counter() - t0) * 1000, not ok, sent_in


@dataclass
class Move:
    """A j or k planned from the screen: from ``row`` to ``row + step``."""

    row: int
    step: int
    title: str  # the text of the row the cursor should land on

    @property
    def key(self) -> str:
        return "j" if self.step > 0 else "k"


def plan_move(tui: Tui, going_down: bool, timeout: float) -> Move:
    """Down the list and back up, within the first screenful (no scrolling)."""
    if not tui.wait_until(lambda: tui.cursor_row() is not None, timeout):
        raise BenchError(f"no cursor row in the item list; screen:\n{tui.text()}")
    row = tui.cursor_row()
    assert row is not None
    if row <= 2:
        going_down = True
    elif row >= 14:
        going_down = False
    step = 1 if going_down else -1
    return Move(row, step, tui.row_text(row + step))


def timed_move(tui: Tui, plan: Move, action: str, timeout: float, phase: Phase,
               run: Run) -> None:
    def moved() -> bool:
        if DIALOG in tui.text():
            return False
        now = tui.cursor_row()
        return now is not None and now != plan.row and (
            now == plan.row + plan.step or tui.row_text(now) == plan.title)

    ms, late, sent_in = timed_key(tui, plan.key, moved, timeout, phase)
    run.samples.append(Sample(action, sent_in, ms, late))


def tag_op(tui: Tui, name: str, phase: Phase, run: Run, args: argparse.Namespace,
           going_down: bool) -> None:
    """t, type ``name``, Enter, then j/k as a user goes on: four timed steps. The Enter's
    answer (the tag on screen) is awaited while the j/k is sent."""
    timeout = args.key_timeout
    after = plan_move(tui, going_down, timeout)
    ms, late, sent_in = timed_key(tui, "t", lambda: DIALOG in tui.text(), timeout, phase)
    run.samples.append(Sample(ACTIONS[1], sent_in, ms, late))
    if late:  # the dialog may still open later: give it time, then go on or give up
        if not tui.wait_until(lambda: DIALOG in tui.text(), timeout):
            raise BenchError(f"the tag dialog never opened; screen:\n{tui.text()}")
    ms, late, sent_in = timed_key(tui, name, lambda: name in tui.text(), timeout, phase)
    run.samples.append(Sample(ACTIONS[2], sent_in, ms, late))
    seen_failures = len(tui.failures)

    def shown() -> bool:
        text = tui.text()
        return DIALOG not in text and (name in text or len(tui.failures) > seen_failures)

    sent_in = phase()
    run.tags_given[name] = sent_in

    def report(ms: float, late: bool) -> None:
        note = "; ".join(tui.failures[seen_failures:])
        run.samples.append(Sample(ACTIONS[3], sent_in, ms, late, note))

    tui.watch(shown, report, time.perf_counter())
    tui.term.send("\r")
    tui.pump_for(min(args.gap, 0.1))
    timed_move(tui, after, ACTIONS[4], timeout, phase, run)
    tui.drain(timeout)  # the tag is on screen (or never came) before the next key


def key_session(tui: Tui, phase: Phase, run: Run, args: argparse.Namespace,
                keep_going: Callable[[], bool], minimum: int = 0) -> None:
    """Moves with a tag operation every ``--tag-every`` moves, ``--gap`` s apart, while
    ``keep_going()`` (and at least ``minimum`` moves)."""
    going_down = True
    moves = 0
    while moves < minimum or keep_going():
        if moves % args.tag_every == args.tag_every - 1:  # a few plain moves first
            run.tag_ops += 1
            tag_op(tui, f"bench-{run.tag_ops:03d}", phase, run, args, going_down)
        else:
            plan = plan_move(tui, going_down, args.key_timeout)
            going_down = plan.step > 0
            timed_move(tui, plan, ACTIONS[0], args.key_timeout, phase, run)
        moves += 1
        tui.pump_for(args.gap)


def measure_cli(command: list[str], store: Path, env: dict[str, str], item: str,
                phase: str, run: Run, args: argparse.Namespace,
                keep_going: Callable[[], bool], minimum: int) -> None:
    done = 0
    while done < minimum or keep_going():
        done += 1
        name = f"cli-{phase}-{done:03d}"
        argv = [*command, "--store", str(store), "tag", item, f"+{name}"]
        t0 = time.perf_counter()
        try:
            out = subprocess.run(argv, env=env, cwd=REPO, capture_output=True, text=True,
                                 timeout=args.key_timeout, preexec_fn=_die_with_parent)
            ms, late = (time.perf_counter() - t0) * 1000, False
            note = "" if out.returncode == 0 else f"exit {out.returncode}: {out.stderr.strip()}"
            failed = out.returncode != 0 or any(w in out.stderr for w in FAILURE_WORDS)
        except subprocess.TimeoutExpired:
            ms, late, note, failed = args.key_timeout * 1000, True, "timed out", True
        if failed:
            run.cli_failures.append(f"{name}: {note[-300:]}")
        run.tags_given[name] = f"cli {phase}"
        run.samples.append(Sample(CLI_ACTION, phase, ms, late, note))
        time.sleep(args.gap)


# -- the report ------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def table(run: Run) -> list[str]:
    header = (f"{'key / action':<30} {'phase':<7} {'n':>4} {'median':>8} {'p90':>8} "
              f"{'max':>8} {'x idle':>7} {'≤250ms':>7}")
    lines = [header, "-" * len(header)]
    for action in (*ACTIONS, CLI_ACTION):
        idle_median = None
        for phase in ("idle", "import", "after"):
            got = [s for s in run.samples if s.action == action and s.phase == phase]
            if not got:
                continue
            values = [s.ms for s in got]
            late = any(s.timed_out for s in got)
            med = statistics.median(values)
            if phase == "idle":
                idle_median = med
            ratio = f"×{med / idle_median:.1f}" if idle_median and phase != "idle" else ""
            within = sum(v <= TARGET_MS for v in values)
            mark = ">" if late else " "
            lines.append(
                f"{action:<30} {phase:<7} {len(values):>4} {med:>8.0f} "
                f"{percentile(values, 0.9):>8.0f} {mark}{max(values):>7.0f} {ratio:>7} "
                f"{within:>3}/{len(values):<3}")
    return lines


def report(run: Run, store_tags: dict[str, int], tui_failures: list[str]) -> list[str]:
    lines = table(run)
    lines.append("")
    for label, phases in (("TUI", ("idle", "import", "after")),
                          ("CLI", ("cli idle", "cli import"))):
        for phase in phases:
            given = [t for t, p in run.tags_given.items() if p == phase]
            if given:
                kept = [t for t in given if store_tags.get(t)]
                missing = sorted(set(given) - set(kept))
                lines.append(f"{label} tags given ({phase}): {len(given)}, in the store "
                             f"afterwards: {len(kept)}"
                             + (f"  MISSING: {' '.join(missing)}" if missing else ""))
    lines.append("'busy' / 'Not saved' on the TUI's screen: "
                 + ("; ".join(dict.fromkeys(tui_failures)) if tui_failures else "never"))
    lines.append("'busy' / failure from the CLI tag: "
                 + ("; ".join(run.cli_failures) if run.cli_failures else "never"))
    slow = sorted((s for s in run.samples if s.phase != "idle"), key=lambda s: -s.ms)[:5]
    if slow:
        lines.append("slowest answers (s after the import started):")
        for s in slow:
            zero = run.import_started.get("cli" if s.action == CLI_ACTION else "tui")
            since = s.at - s.ms / 1000 - zero if zero else 0.0
            late = " (no answer: timed out)" if s.timed_out else ""
            lines.append(f"  {s.ms:8.0f} ms  {s.action} [{s.phase}] at +{since:.1f} s{late}"
                         + (f"  {s.note}" if s.note else ""))
    for name, seconds in run.import_seconds.items():
        lines.append(f"{name}: {seconds:.1f} s")
    return lines


# -- main ------------------------------------------------------------------------------------


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def benchmark(args: argparse.Namespace, command: list[str], work: Path) -> list[str]:
    env = app_env(work / "home")
    (work / "home").mkdir()
    store = work / "store"
    started = time.perf_counter()
    print(f"  writing {args.seed_items} + 2 × {args.items:,} items…", file=sys.stderr,
          flush=True)
    write_jsonl(work / "seed.jsonl", args.seed_items, seed=1, year=2025)
    write_jsonl(work / "big.jsonl", args.items, seed=2, year=2024)
    write_jsonl(work / "big2.jsonl", args.items, seed=3, year=2023)
    run_cli(command, store, ["init", "--empty"], env, 120)
    run_cli(command, store, ["import", str(work / "seed.jsonl")], env, 300)
    first = json.loads(run_cli(command, store, ["list", "--json"], env, 120)
                       .stdout.splitlines()[0])
    run = Run()
    tui = Tui([*command, "--store", str(store)], env)
    importer: Background | None = None
    try:
        t0 = time.perf_counter()
        if not tui.wait_until(lambda: tui.find_list() and f"({args.seed_items}" in
                              tui.screen.line(0) and tui.cursor_row() is not None,
                              args.start_timeout):
            raise BenchError(f"no first frame with {args.seed_items} items in "
                             f"{args.start_timeout:g} s; screen:\n{tui.text()}")
        first_frame = time.perf_counter() - t0
        tui.pump_for(1.5)  # the index, the tree counts and the first read mark settle
        print(f"  first frame after {first_frame:.2f} s; idle keys…", file=sys.stderr,
              flush=True)
        key_session(tui, lambda: "idle", run, args, lambda: False, minimum=args.idle_keys)

        print(f"  importing {args.items:,} items while typing…", file=sys.stderr, flush=True)
        importer = Background([*command, "--store", str(store), "import",
                               str(work / "big.jsonl")], env, work, "import1")
        run.import_started["tui"] = importer.started
        # a key counts for the import only if it was sent while the import ran
        key_session(tui, lambda: "import" if importer.running() else "after", run, args,
                    importer.running)
        code = importer.wait(args.import_timeout)
        run.import_seconds["import of big.jsonl, whole process"] = importer.seconds()
        if code != 0:
            raise BenchError(f"the import failed ({code}):\n{importer.output()[-2000:]}")
        end = time.perf_counter() + args.after
        key_session(tui, lambda: "after", run, args, lambda: time.perf_counter() < end)
        tui.term.send("q")
        with contextlib.suppress(Exception):
            tui.term.wait(10)
    finally:
        tui_failures = list(tui.failures)
        for screen in tui.timeout_screens[:3]:
            print(f"  ! {screen}", file=sys.stderr)
        tui.close()
        if importer is not None:
            importer.close()

    print("  CLI tag, idle and during a second import…", file=sys.stderr, flush=True)
    measure_cli(command, store, env, first["id"], "idle", run, args, lambda: False,
                minimum=args.cli_runs)
    importer = Background([*command, "--store", str(store), "import",
                           str(work / "big2.jsonl")], env, work, "import2")
    run.import_started["cli"] = importer.started
    try:
        measure_cli(command, store, env, first["id"], "import", run, args,
                    importer.running, minimum=0)
        code = importer.wait(args.import_timeout)
        run.import_seconds["import of big2.jsonl, whole process"] = importer.seconds()
        if code != 0:
            raise BenchError(f"the second import failed ({code}):\n"
                             f"{importer.output()[-2000:]}")
    finally:
        importer.close()
    tags = json.loads(run_cli(command, store, ["tags", "--json"], env, 300).stdout)
    store_tags = {t["name"]: t["count"] for t in tags}
    lines = report(run, store_tags, tui_failures)
    lines.append(f"first frame: {first_frame:.2f} s; whole benchmark: "
                 f"{time.perf_counter() - started:.0f} s")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=20_000,
                        help="items imported meanwhile (default 20,000)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2,000 items")
    parser.add_argument("--seed-items", type=int, default=300,
                        help="items in the store before (default 300)")
    parser.add_argument("--command", default=None,
                        help="how to start newsdesk (default: python -m tui from this checkout)")
    parser.add_argument("--idle-keys", type=int, default=None,
                        help="keys in the idle baseline (default 24; 12 with --quick)")
    parser.add_argument("--tag-every", type=int, default=6,
                        help="a tag operation (t, name, Enter) every N keys (default 6)")
    parser.add_argument("--gap", type=float, default=0.25,
                        help="seconds between one key's answer and the next key")
    parser.add_argument("--after", type=float, default=3.0,
                        help="seconds of keys after the import ended (default 3)")
    parser.add_argument("--cli-runs", type=int, default=3, help="CLI tags with no import")
    parser.add_argument("--key-timeout", type=float, default=30.0,
                        help="seconds a key may go unanswered (default 30)")
    parser.add_argument("--start-timeout", type=float, default=60.0)
    parser.add_argument("--import-timeout", type=float, default=900.0)
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep the store and files here (default: a temporary folder)")
    args = parser.parse_args(argv)
    if args.quick:
        args.items = 2_000
    if args.idle_keys is None:
        args.idle_keys = 12 if args.quick else 24
    if args.tag_every < 3:
        parser.error("--tag-every must be 3 or more")
    command = shlex.split(args.command) if args.command else [sys.executable, "-m", "tui"]
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGHUP, _exit_on_signal)

    print(f"$ {shlex.join([sys.executable, *sys.argv])}")
    print(f"newsdesk: {shlex.join(command)} (cwd {REPO}); {COLS}x{ROWS} pty; "
          f"{args.seed_items} items in the store, {args.items:,} imported meanwhile; "
          f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    try:
        with _workdir(args.workdir) as work:
            lines = benchmark(args, command, work)
    except BenchError as exc:
        print(f"responsive.py: {exc}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    print(f"load after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


@contextlib.contextmanager
def _workdir(given: Path | None) -> Iterator[Path]:
    if given is not None:
        given.mkdir(parents=True, exist_ok=True)
        if any(given.iterdir()):
            raise BenchError(f"--workdir {given} is not empty")
        yield given
        return
    with tempfile.TemporaryDirectory(prefix="nd-responsive-") as tmp:
        yield Path(tmp)


if __name__ == "__main__":
    raise SystemExit(main())
