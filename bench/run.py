"""The newsdesk benchmark suite: start-up, keystrokes, import, memory and disk size.

    python bench/run.py                   # 1,000 / 10,000 / 100,000 items; writes RESULTS.md
    python bench/run.py --quick           # 100 / 500 items, few runs, no RESULTS.md (CI smoke)
    python bench/run.py --sizes 1000,20000 --runs 5 --workdir /tmp/nd-bench --reuse

For each size it writes deterministic synthetic briefs (``bench/search.py``'s
``generate_items``) to a text file, one per line, and imports them through the real
command (``newsdesk --store DIR import FILE``, timed as a whole process); then it tags
10% of them through the store's tag API (one operation per tag) and marks 30% read.

The machine these run on is shared and noisy, so every figure comes with a baseline
measured in the same run (a minimal Textual app started the same way, stock TinyDB
doing the same job on the same data, the smallest size for the growth curve), medians
of several runs, and the load average before and after. ``NOTES`` below says exactly
what each figure includes; it is copied into RESULTS.md.

The installed ``newsdesk`` (next to this Python, else on PATH) is what the start-up
figures run; without one, ``python -m tui`` from this checkout stands in (and the table
says so). Install the checkout in its own venv to measure the real command:
``python3 -m venv /tmp/v && /tmp/v/bin/pip install . && /tmp/v/bin/python bench/run.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import fcntl
import os
import platform
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from search import generate_items, search_latencies, timed  # noqa: E402

COLS, ROWS = 120, 40
MINIMAL_WORD = "BENCHMARK-READY"
MINIMAL_APP = f"""\
from textual.app import App
from textual.widgets import Static


class Minimal(App):
    BINDINGS = [("j", "bump", "Bump"), ("q", "quit", "Quit")]

    def compose(self):
        yield Static("{MINIMAL_WORD}", id="word")

    def action_bump(self):
        self.n = getattr(self, "n", 0) + 1
        self.query_one("#word").update(f"{MINIMAL_WORD} {{self.n}}")


if __name__ == "__main__":
    Minimal().run()
"""
SEARCH_TYPED = "ukraine nato"
"""Typed one key at a time into the search bar: each key runs one (debounced) search."""

NOTES = """\
How each figure is measured (medians; "×" columns are ratios within this run):

- **first frame, items visible**: wall time from spawning `newsdesk --store DIR` in a
  pseudo-terminal (TERM=xterm-256color, 120x40 set with TIOCSWINSZ, an empty config
  folder) until its output, with escape sequences removed, contains the first item's
  title or "All items (N". Includes Python start-up, imports, opening the store, the
  first paints. The OS file cache is warm (the store was just written): "cold" means a
  fresh process, not a cold disk. Baseline: a minimal Textual app (one Static with a
  known word) spawned the same way, with the same Python, until the word shows.
- **first paint**: the same run, until the panes' frame ("Topics") is on screen; the
  items may still be loading behind it.
- **peak RSS**: VmHWM of that newsdesk process (/proc/PID/status) after the first frame
  and five keystrokes (j), before it quits. Baseline: the minimal app's VmHWM.
- **cursor move / topic switch / tag op, key -> frame**: in process, the app under
  `App.run_test(headless=True, size=(120, 40))` on the same store, once it has loaded
  and its background workers (search index, facet table) are done. From posting the
  Key event to the app until every message it caused is handled and the screen has
  composited and written the frame (the screen's update is forced instead of waiting
  for Textual's 60 fps timer, and Pilot's idle sleeps are not used). Cursor: `j` in the
  list. Topic switch: `j`/`k` between the first two topics in the tree (the list
  follows). Tag op: `.` (repeat tag) alternately adding and removing "follow-up" (a
  tag the store already uses) on the current item: the journal append with its
  fsync, then the redraw of tree counts, rows and detail; "a new tag" does the same
  with a tag no item has, so its tree line appears and goes (the tree is rebuilt).
  Baseline: the same measurement of a key on the minimal app.
- **detail follows**: the same keys, until the screen is settled: newsdesk draws the
  key's own change (cursor row, list, counts) first and the detail pane, whose new
  text is wrapped and repainted, 20 ms later (a timer, `DETAIL_DELAY`, included here).
- **handler**: the part of that time spent in the screen's handler for the key
  (`_show_detail` + `_draw_detail`, `_show_node`, `action_repeat_tag`, `_run_query`).
- **pilot press+pause (j)**: `await pilot.press("j"); await pilot.pause()` as a whole;
  Pilot sleeps at least 20 ms per idle check, so this shows Pilot, not newsdesk.
- **search keystroke**: typing "ukraine nato" one key at a time in the search bar; per
  key, the debounced search (parse, index lookup, tree counts over the results, list)
  plus the frame that shows it, timed from the start of the search handler. The
  debounce (80 ms of quiet typing before a search runs) comes on top and is not in the
  figure; "key -> results" below includes it. Echoing the typed character is separate.
  "tree counts follow": from the same start until the tree's counts over the new
  results (counted in a worker thread) are on screen.
- **search (index only)**: `SearchIndex.search` for all hits in relevance order over
  bench/search.py's queries, in process with a cold posting cache; the slowest query's
  median. **CLI search**: `newsdesk --store DIR search ukraine --count` as a whole
  process; baseline `python -c pass`.
- **tag op (store, fsync)**: `Store.tag([id], ["bench"])` alternately adding and
  removing, in process: lock, journal line, fsync. Baseline: stock TinyDB
  `TinyDB(path).table("items").update({"tags": [...]}, doc_ids=[k])` on a copy of the
  same items.json (TinyDB rewrites the whole file on every write).
- **tree at start**: what the TUI's loading worker does once the items are read:
  `TreeIndex(items, load_counts(...)).tree(state)` with the counts of the items' own
  fields read from tree.json (written by `newsdesk import`), plus the id list, the
  id -> ordinal map and the tag/read counts (issue D: at most 200 ms). "counted":
  the same without tree.json (the first start after another kind of change).
  "build_tree()": the one-shot function the CLI used to call.
- **store open**: `Store.open(DIR)` in process (load items.json and the user state).
  Baseline: stock TinyDB `TinyDB(path).table("items").all()` on the same file.
- **import**: `newsdesk --store DIR import FILE` as a whole process, into a store made
  with `init --empty`: read, derive topics and entities (on every core), one write.
  Baseline: stock TinyDB `insert_multiple` of the same generated items (no derivation).
- **index build**: the first `newsdesk search` after the import, which builds index.bin.
- **disk**: items.json; state.json + journal.jsonl; index.bin. Baseline: the text file.
- **growth**: the figure at the largest size divided by the smallest (for 1k -> 100k,
  linear growth is ×100; an O(1) figure stays near ×1).
"""


# -- small helpers ---------------------------------------------------------------------


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def newsdesk_command(from_source: bool) -> tuple[list[str], dict[str, str], str]:
    """(argv prefix, extra env, description) for running newsdesk as a process: the
    installed command next to this Python (else on PATH), or this checkout's source."""
    here = Path(sys.executable).parent / "newsdesk"
    found = None if from_source else str(here) if here.exists() else shutil.which("newsdesk")
    if found:
        where = subprocess.run([python_of([found]), "-c", "import tui; print(tui.__file__)"],
                               capture_output=True, text=True, cwd="/").stdout.strip()
        return [found], {}, f"{found} (tui from {Path(where).parent if where else '?'})"
    env = {"PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    how = "--from-source" if from_source else "not installed"
    return [sys.executable, "-m", "tui"], env, f"{sys.executable} -m tui ({how}: {ROOT})"


def python_of(command: list[str]) -> str:
    """The interpreter a console script runs with (its shebang), else this one."""
    if len(command) == 1:
        with contextlib.suppress(OSError, UnicodeDecodeError):
            first = Path(command[0]).read_text(encoding="utf-8").splitlines()[0]
            if first.startswith("#!") and "python" in first:
                return first[2:].strip().split()[0]
    return sys.executable


def run_process(argv: list[str], env: dict[str, str], timeout: float = 1800) -> float:
    """Wall time (s) of one process, which must succeed."""
    t0 = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, timeout=timeout)
    elapsed = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}):\n"
                           f"{done.stderr.decode(errors='replace')[-2000:]}")
    return elapsed


# -- a process in a pseudo-terminal ----------------------------------------------------

_ANSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]")


@dataclass
class PtyRun:
    """What one spawn in a pseudo-terminal showed, and when (seconds from spawn)."""

    seen: dict[str, float] = field(default_factory=dict)
    hwm_kb: int | None = None
    timed_out: bool = False


def _read_status(pid: int, key: str) -> int | None:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


def _die_with_parent(parent: int) -> None:
    """In a spawned child, before it runs the program: be killed when this process dies,
    however it dies (Linux's PR_SET_PDEATHSIG; elsewhere a no-op). The pty children
    are in their own session, so a kill of the benchmark's process group misses them,
    and one left behind with its terminal gone spun at full CPU."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the benchmark died before prctl took effect
        os._exit(1)


def _exit_on_signal(signum: int, frame: object) -> None:
    """SIGTERM/SIGHUP end the benchmark like Ctrl-C: the ``finally`` blocks run and stop
    the children (by default such a signal ends Python without running them)."""
    raise SystemExit(128 + signum)


def pty_run(argv: list[str], env: dict[str, str], markers: dict[str, str],
            keys: bytes = b"", quit_key: bytes = b"q", timeout: float = 120) -> PtyRun:
    """Spawn ``argv`` in a 120x40 pty; note when each marker first shows (escape
    sequences removed); then type ``keys``, read the peak RSS, and quit."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    full_env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(COLS),
                "LINES": str(ROWS), **env}
    full_env.pop("TEXTUAL", None)
    t0 = time.perf_counter()
    parent = os.getpid()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=full_env,
                            close_fds=True, start_new_session=True,
                            preexec_fn=lambda: _die_with_parent(parent))
    os.close(slave)
    out = PtyRun()
    buffer = bytearray()

    def pump(wait: float) -> bool:
        """Read what is there (up to ``wait`` s); False once the child closed the pty."""
        ready, _, _ = select.select([master], [], [], wait)
        if not ready:
            return True
        try:
            chunk = os.read(master, 1 << 16)
        except OSError:
            return False
        if not chunk:
            return False
        now = time.perf_counter() - t0
        buffer.extend(chunk)
        plain = _ANSI.sub(b"", bytes(buffer)).decode("utf-8", "replace")
        for name, marker in markers.items():
            if name not in out.seen and marker in plain:
                out.seen[name] = now
        return True

    try:
        while len(out.seen) < len(markers):
            if time.perf_counter() - t0 > timeout:
                out.timed_out = True
                break
            if not pump(0.02) or proc.poll() is not None:
                break
        if not out.timed_out and proc.poll() is None:
            for key in keys:
                os.write(master, bytes([key]))
                end = time.perf_counter() + 0.1
                while time.perf_counter() < end and pump(0.01):
                    pass
            out.hwm_kb = _read_status(proc.pid, "VmHWM")
            os.write(master, quit_key)
        end = time.perf_counter() + 15
        while proc.poll() is None and time.perf_counter() < end:
            if not pump(0.05):
                break
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        os.close(master)
    if out.timed_out:
        tail = _ANSI.sub(b"", bytes(buffer[-3000:])).decode("utf-8", "replace")
        print(f"  ! {argv[0]}: markers {sorted(set(markers) - set(out.seen))} never "
              f"showed in {timeout:.0f} s; last output:\n{tail}", file=sys.stderr)
    return out


# -- in-process keystrokes (Pilot) ------------------------------------------------------


async def _settle(pilot: Any) -> None:
    """Until every message the key caused (and the ones those caused) is handled.

    Polls the message queues between turns of the event loop rather than using
    Pilot's waits, which post a callback to every widget and sleep on idle checks:
    their cost would swamp what is measured.
    """
    app = pilot.app
    quiet = 0
    for _ in range(100_000):
        await asyncio.sleep(0)
        widgets = [app, *app.screen.walk_children(with_self=True)]
        if any(not w._message_queue.empty() for w in widgets):
            quiet = 0
        else:
            quiet += 1
            if quiet >= 3:
                return


async def pilot_presses(pilot: Any, runs: int) -> list[float]:
    """ms of ``await pilot.press("j"); await pilot.pause()``, ``runs`` times."""
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        await pilot.press("j")
        await pilot.pause()
        out.append((time.perf_counter() - t0) * 1000)
    return out


async def key_to_frame(pilot: Any, key: str, char: str | None = None) -> float:
    """ms from posting a Key to the app until it is handled and the frame is written."""
    return (await key_to_frames(pilot, key, char))[0]


async def key_to_frames(pilot: Any, key: str, char: str | None = None
                        ) -> tuple[float, float]:
    """ms from posting a Key until the first frame after it is written, and until the
    screen is settled (what the app deferred to the next frames, e.g. the detail)."""
    from textual import events

    app = pilot.app
    t0 = time.perf_counter()
    await app._post_message(events.Key(key, char if char is not None else
                                       (key if len(key) == 1 else None)))
    await _settle(pilot)
    app.screen._on_timer_update()  # composite and write now, not at the next 60 fps tick
    first = time.perf_counter()
    for _ in range(2000):
        await _settle(pilot)
        screen = app.screen
        if getattr(screen, "_detail_queued", False):  # the detail's redraw is on a timer
            await asyncio.sleep(0.001)
            continue
        if not (screen._callbacks or screen._dirty_widgets or screen._layout_required
                or screen._repaint_required):
            break
        screen._on_timer_update()
    return (first - t0) * 1000, (time.perf_counter() - t0) * 1000


class HandlerClock:
    """Wraps methods on an object to sum the time spent in them."""

    def __init__(self, target: Any, names: Sequence[str]) -> None:
        self.total = 0.0
        self.calls = 0
        self.last_start = 0.0
        self.last_end = 0.0
        for name in names:
            original = getattr(target, name)

            def wrapped(*args: Any, _original: Callable[..., Any] = original,
                        **kwargs: Any) -> Any:
                start = time.perf_counter()
                try:
                    return _original(*args, **kwargs)
                finally:
                    end = time.perf_counter()
                    self.total += end - start
                    self.calls += 1
                    self.last_start, self.last_end = start, end

            setattr(target, name, wrapped)

    def take(self) -> float:
        """ms accumulated since the last take."""
        total, self.total = self.total, 0.0
        return total * 1000


def _run_async(make: Callable[[], Awaitable[Any]]) -> Any:
    return asyncio.run(make())  # type: ignore[arg-type]


def minimal_keys(runs: int) -> dict[str, float | None]:
    """The floor: key -> frame, and pilot press+pause, on the minimal app."""
    namespace: dict[str, Any] = {}
    exec(compile(MINIMAL_APP, "minimal_app", "exec"), namespace)

    async def go() -> dict[str, float | None]:
        app = namespace["Minimal"]()
        async with app.run_test(headless=True, size=(COLS, ROWS)) as pilot:
            await pilot.pause()
            frames = [await key_to_frame(pilot, "j") for _ in range(runs * 3)]
            pilots = await pilot_presses(pilot, runs)
        return {"frame": median(frames), "pilot": median(pilots)}

    return _run_async(go)


def app_keys(store_dir: Path, runs: int) -> dict[str, float | None]:
    """Keystroke figures of the newsdesk app over the store (see NOTES)."""
    from store.desk import Store
    from tui.app import make_app
    from tui.config import Settings
    from tui.screens.main import MainScreen
    from tui.widgets.search_bar import DEBOUNCE

    store = Store.open(store_dir, create=False)
    settings = Settings(mark_read_after=None, poll_interval=3600)

    async def go() -> dict[str, float | None]:
        app = make_app(store, settings)
        out: dict[str, float | None] = {}
        async with app.run_test(headless=True, size=(COLS, ROWS)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            for _ in range(3):  # the workers that loading the index starts, too
                await asyncio.sleep(0.2)
                await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, MainScreen)
            cursor_clock = HandlerClock(screen, ["_show_detail", "_draw_detail"])
            topic_clock = HandlerClock(screen, ["_show_node"])
            tag_clock = HandlerClock(screen, ["action_repeat_tag"])
            clock = HandlerClock(screen, ["_run_query"])

            # cursor move: j in the list
            screen.item_list.focus()
            await _settle(pilot)
            cursor_clock.take()
            frames, fulls, handlers = [], [], []
            for _ in range(runs * 5):
                first, full = await key_to_frames(pilot, "j")
                frames.append(first)
                fulls.append(full)
                handlers.append(cursor_clock.take())
            out["cursor"], out["cursor_handler"] = median(frames), median(handlers)
            out["cursor_full"] = median(fulls)
            pilots = await pilot_presses(pilot, runs)
            out["cursor_pilot"] = median(pilots)

            # tag op: "." alternately adding and removing a tag the store already uses
            # (its line in the tree stays), then a new tag (a line comes and goes)
            for tag, name in (("follow-up", "tag"), ("bench-new-tag", "tag_new")):
                frames, fulls, handlers = [], [], []
                tag_clock.take()
                for n in range(runs * 2):
                    screen.last_edit = ([tag], []) if n % 2 == 0 else ([], [tag])
                    first, full = await key_to_frames(pilot, "full_stop", ".")
                    frames.append(first)
                    fulls.append(full)
                    handlers.append(tag_clock.take())
                out[name], out[f"{name}_handler"] = median(frames), median(handlers)
                out[f"{name}_full"] = median(fulls)

            # topic switch: j / k between the first two topics of the tree
            tree = screen.tree
            tree.focus()
            topics = [n for n in tree.root.children if n.data and n.data.key ==
                      ("group", "Topics")]
            if topics and len(topics[0].children) >= 2:
                tree.move_cursor(topics[0].children[0])
                await _settle(pilot)
                topic_clock.take()
                frames, fulls, handlers = [], [], []
                for n in range(runs * 2):
                    first, full = await key_to_frames(pilot, "j" if n % 2 == 0 else "k")
                    frames.append(first)
                    fulls.append(full)
                    handlers.append(topic_clock.take())
                out["topic"], out["topic_handler"] = median(frames), median(handlers)
                out["topic_full"] = median(fulls)

            # search keystroke: type SEARCH_TYPED into the bar, one key at a time
            tree.move_cursor(tree.root.children[0])  # All items
            await _settle(pilot)
            await pilot.press("slash")
            await _settle(pilot)
            counted = HandlerClock(screen, ["_show_counted"])
            frames_out = HandlerClock(screen, ["_compositor_refresh"])
            echoes, searches, totals, trees = [], [], [], []
            for char in SEARCH_TYPED:
                key = "space" if char == " " else char
                calls, counts = clock.calls, counted.calls
                t0 = time.perf_counter()
                echoes.append(await key_to_frame(pilot, key, char))
                deadline = time.perf_counter() + 5
                while clock.calls == calls and time.perf_counter() < deadline:
                    await asyncio.sleep(0.001)
                if clock.calls != calls:
                    started, handled = clock.last_start, clock.last_end
                    # the first frame written after the search: the results on screen
                    # (the tree's count, started after it, then competes for the GIL)
                    while frames_out.last_end < handled and time.perf_counter() < deadline:
                        screen._on_timer_update()
                        await asyncio.sleep(0)
                    end = frames_out.last_end
                    searches.append((end - started) * 1000)
                    totals.append((end - t0) * 1000)
                    while counted.calls == counts and time.perf_counter() < deadline:
                        await asyncio.sleep(0.001)
                    await _settle(pilot)
                    screen._on_timer_update()
                    trees.append((time.perf_counter() - started) * 1000)
                clock.take()
            out["search"] = median(searches)
            out["search_max"] = max(searches) if searches else None
            out["search_total"] = median(totals)
            out["search_tree"] = median(trees)
            out["search_tree_max"] = max(trees) if trees else None
            out["search_echo"] = median(echoes)
            out["debounce"] = DEBOUNCE * 1000
        return out

    return _run_async(go)


# -- in-process store figures ------------------------------------------------------------


def store_figures(store_dir: Path, work: Path, runs: int, tinydb_runs: int
                  ) -> dict[str, float | None]:
    """Open, tree build, tag op, search: in process, with their TinyDB baselines."""
    from tinydb import TinyDB

    from store.desk import Store
    from store.tree import TreeIndex, build_tree, load_counts

    out: dict[str, float | None] = {}
    out["open"] = median(timed(lambda: Store.open(store_dir, create=False),
                               max(1, runs // 2))) / 1000
    store = Store.open(store_dir, create=False)
    counts = load_counts(store.root, store.loaded_signature)
    out["tree"] = median(timed(lambda: TreeIndex(store.items(), counts, store.ids(),
                                                 store.ordinals()).tree(store.state_view),
                               runs)) if counts else None
    out["tree_counted"] = median(timed(lambda: TreeIndex(store.items()).tree(store.state_view),
                                       max(1, runs // 2)))
    out["tree_oneshot"] = median(timed(lambda: build_tree(store), max(1, runs // 2)))

    target = store.items()[len(store) // 2]["id"]
    flip = iter(range(1 << 30))

    def tag_once() -> None:
        if next(flip) % 2 == 0:
            store.state.tag([target], ["bench"])
        else:
            store.state.tag([target], (), ["bench"])

    out["tag_store"] = median(timed(tag_once, runs * 2))

    copy = work / "tinydb-items.json"
    shutil.copyfile(store_dir / "items.json", copy)
    out["tinydb_read"] = median(
        timed(lambda: TinyDB(copy).table("items").all(), tinydb_runs)) / 1000
    doc_id = len(store) // 2 + 1

    def tinydb_update() -> None:
        db = TinyDB(copy)
        db.table("items").update({"tags": ["bench"]}, doc_ids=[doc_id])
        db.close()

    out["tinydb_update"] = median(timed(tinydb_update, tinydb_runs))
    copy.unlink()

    index = store.ensure_index()
    latencies = search_latencies(index, store.state_view, runs)
    out["search_index"] = max(ms for _, _, ms in latencies)
    return out


def tinydb_insert(items: list[dict[str, Any]], work: Path) -> float:
    """Seconds for stock TinyDB to insert_multiple the items into a new file."""
    from tinydb import TinyDB

    path = work / "tinydb-insert.json"
    path.unlink(missing_ok=True)
    t0 = time.perf_counter()
    db = TinyDB(path)
    db.table("items").insert_multiple(items)
    db.close()
    elapsed = time.perf_counter() - t0
    path.unlink()
    return elapsed


# -- one size --------------------------------------------------------------------------


def tag_store(store_dir: Path, generated: list[dict[str, Any]], user: Any) -> None:
    """Tag 10% (one operation per tag) and mark 30% read, by position in the file."""
    from store.desk import Store

    store = Store.open(store_dir, create=False)
    by_line = [d["id"] for d in store.items()]
    ids = {g["id"]: by_line[i] for i, g in enumerate(generated) if i < len(by_line)}
    groups: dict[str, list[str]] = {}
    for gid in user.tagged_ids():
        for tag in user.tags_of(gid):
            groups.setdefault(tag, []).append(ids[gid])
    for tag, members in sorted(groups.items()):
        store.state.tag(members, [tag])
    store.state.set_read([ids[g] for g in user.read_ids()], True)


def measure_size(n: int, args: argparse.Namespace, work: Path, command: list[str],
                 env: dict[str, str], python: str) -> dict[str, Any]:
    """Every figure for ``n`` items."""
    row: dict[str, Any] = {}
    store_dir = work / f"store-{n}"
    text = work / f"briefs-{n}.txt"
    items, user = generate_items(n)
    reuse = args.reuse and (store_dir / "items.json").exists()
    if not reuse:
        shutil.rmtree(store_dir, ignore_errors=True)
        text.write_text("".join(item["body"] + "\n" for item in items), encoding="utf-8")
        run_process([*command, "--store", str(store_dir), "init", "--empty"], env)
        print(f"  {n:,}: importing…", file=sys.stderr, flush=True)
        row["import"] = run_process([*command, "--store", str(store_dir), "import", str(text)],
                                    env)
        tag_store(store_dir, items, user)
        row["index_build"] = run_process(
            [*command, "--store", str(store_dir), "search", "ukraine", "--count"], env)
    row["tinydb_insert"] = tinydb_insert(items, work)
    row["text_bytes"] = sum(len(item["body"].encode()) + 1 for item in items)
    del items
    row["cli_search"] = median([run_process(
        [*command, "--store", str(store_dir), "search", "ukraine", "--count"], env)
        for _ in range(args.runs)])

    first_title = _first_title(store_dir)
    markers = {"paint": "Topics", "items": f"All items ({n:,}"}
    if first_title:
        markers["title"] = first_title
    cfg = work / "config"
    cfg.mkdir(exist_ok=True)
    tui_env = {**env, "NEWSDESK_CONFIG_DIR": str(cfg)}
    argv = [*command, "--store", str(store_dir)]
    pty_run(argv, tui_env, markers, keys=b"jjjjj")  # warm-up (not counted)
    firsts, paints, hwms = [], [], []
    for _ in range(args.pty_runs):
        got = pty_run(argv, tui_env, markers, keys=b"jjjjj")
        shown = [got.seen[k] for k in ("title", "items") if k in got.seen]
        if shown:
            firsts.append(min(shown))
        if "paint" in got.seen:
            paints.append(got.seen["paint"])
        if got.hwm_kb:
            hwms.append(got.hwm_kb / 1024)
    row["first_frame"], row["first_paint"] = median(firsts), median(paints)
    row["rss"] = max(hwms) if hwms else None

    print(f"  {n:,}: store and keystrokes in process…", file=sys.stderr, flush=True)
    row.update(store_figures(store_dir, work, args.runs, args.tinydb_runs))
    row.update(app_keys(store_dir, args.runs))
    sizes = {"items.json": store_dir / "items.json", "index.bin": store_dir / "index.bin"}
    row["disk_items"] = _size(sizes["items.json"])
    row["disk_state"] = _size(store_dir / "state.json") + _size(store_dir / "journal.jsonl")
    row["disk_index"] = _size(sizes["index.bin"])
    return row


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _first_title(store_dir: Path) -> str | None:
    """The first 24 characters of the first item's title: on screen once items are."""
    from store.desk import Store

    store = Store.open(store_dir, create=False)
    items = store.items()
    return items[0]["title"][:24] if items else None


def minimal_start(python: str, work: Path, runs: int) -> dict[str, float | None]:
    """The minimal Textual app in the pty: time to its word, and its VmHWM."""
    script = work / "minimal_app.py"
    script.write_text(MINIMAL_APP, encoding="utf-8")
    argv = [python, str(script)]
    pty_run(argv, {}, {"word": MINIMAL_WORD}, keys=b"jjjjj")
    times, hwms = [], []
    for _ in range(runs):
        got = pty_run(argv, {}, {"word": MINIMAL_WORD}, keys=b"jjjjj")
        if "word" in got.seen:
            times.append(got.seen["word"])
        if got.hwm_kb:
            hwms.append(got.hwm_kb / 1024)
    python_start = median(timed(lambda: subprocess.run([python, "-c", "pass"], check=True),
                                runs)) or 0.0
    return {"first_frame": median(times), "rss": max(hwms) if hwms else None,
            "python": python_start / 1000}


# -- the table ---------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table."""

    name: str
    key: str
    unit: str  # "s", "ms", "MB", "B" (bytes, shown in MB)
    baseline: str = ""
    base_value: Callable[[dict[str, Any], dict[str, Any]], float | None] | None = None
    target: float | None = None
    higher_is_better: bool = False
    ratio_word: str = "×"


def _b(key: str) -> Callable[[dict[str, Any], dict[str, Any]], float | None]:
    """A baseline from the largest size's own row."""
    return lambda row, floor: row.get(key)


def _f(key: str) -> Callable[[dict[str, Any], dict[str, Any]], float | None]:
    """A baseline from the minimal app."""
    return lambda row, floor: floor.get(key)


TABLE = [
    Row("first frame, items visible", "first_frame", "s", "minimal Textual app",
        _f("first_frame"), 1.5),
    Row("first paint (panes)", "first_paint", "s", "minimal Textual app", _f("first_frame")),
    Row("cursor move j: key -> frame", "cursor", "ms", "key on minimal app", _f("key"), 16),
    Row("  handler", "cursor_handler", "ms"),
    Row("  detail follows: key -> frame", "cursor_full", "ms"),
    Row("  pilot press+pause (j)", "cursor_pilot", "ms", "minimal app", _f("pilot")),
    Row("topic switch: key -> frame", "topic", "ms", "key on minimal app", _f("key"), 100),
    Row("  handler", "topic_handler", "ms"),
    Row("  detail follows: key -> frame", "topic_full", "ms"),
    Row("search keystroke: search+frame", "search", "ms", "", None, 50),
    Row("  slowest keystroke", "search_max", "ms"),
    Row("  key -> results (+debounce)", "search_total", "ms"),
    Row("  tree counts follow", "search_tree", "ms"),
    Row("  tree counts, slowest", "search_tree_max", "ms"),
    Row("  echo of the key", "search_echo", "ms", "key on minimal app", _f("key")),
    Row("search, index only (slowest q)", "search_index", "ms"),
    Row("CLI search (whole process)", "cli_search", "s", "python -c pass", _f("python")),
    Row("tag op `.`: key -> frame", "tag", "ms", "key on minimal app", _f("key"), 20),
    Row("  handler", "tag_handler", "ms"),
    Row("  detail follows: key -> frame", "tag_full", "ms"),
    Row("  a new tag (tree rebuilt)", "tag_new", "ms", "key on minimal app", _f("key")),
    Row("tag op, store (fsync)", "tag_store", "ms", "TinyDB update()", _b("tinydb_update"), 20),
    Row("tree at start (tree.json)", "tree", "ms", "", None, 200),
    Row("  counted (no tree.json)", "tree_counted", "ms"),
    Row("  build_tree() (one-shot)", "tree_oneshot", "ms"),
    Row("store open (in process)", "open", "s", "TinyDB open+all()", _b("tinydb_read")),
    Row("peak RSS (VmHWM)", "rss", "MB", "minimal Textual app", _f("rss"), 400),
    Row("import (whole process)", "import", "s", "TinyDB insert_multiple",
        _b("tinydb_insert"), 30),
    Row("index build (1st search)", "index_build", "s"),
    Row("disk: items.json", "disk_items", "B", "the .txt briefs", _b("text_bytes")),
    Row("disk: state+journal", "disk_state", "B"),
    Row("disk: index.bin", "disk_index", "B"),
]


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "B":
        return f"{value / 1e6:.1f} MB"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"
    return f"{value:.1f} MB"


def _ratio(a: float | None, b: float | None) -> str:
    """``×r`` (a is r times b); below 1, ``r× less`` reads better than ``×0.0``."""
    if not a or not b:
        return "-"
    r = a / b
    if r < 0.5:
        inverse = b / a
        return f"{inverse:.0f}x less" if inverse >= 10 else f"{inverse:.1f}x less"
    return f"×{r:.1f}" if r < 100 else f"×{r:.0f}"


def build_table(sizes: Sequence[int], results: dict[int, dict[str, Any]],
                floor: dict[str, Any]) -> list[list[str]]:
    """Header + one line per Row: values per size, growth, baseline, ratio, target."""
    big = results[sizes[-1]]
    header = ["measure", *(f"{n:,}" for n in sizes), f"growth {sizes[0]:,}->{sizes[-1]:,}",
              f"baseline ({sizes[-1]:,})", "vs baseline", f"target ({sizes[-1]:,})", "met"]
    lines = [header]
    for row in TABLE:
        values = [results[n].get(row.key) for n in sizes]
        base = row.base_value(big, floor) if row.base_value else None
        last = values[-1]
        base_text = _fmt(base, row.unit) if base is not None else ""
        baseline = f"{row.baseline} {base_text}".strip() if row.baseline else ""
        target = "" if row.target is None else f"<= {_fmt(row.target, row.unit)}"
        met = "" if row.target is None or last is None else (
            "yes" if last <= row.target else "NO")
        lines.append([row.name, *(_fmt(v, row.unit) for v in values),
                      _ratio(last, values[0]), baseline,
                      _ratio(last, base) if base else "", target, met])
    return lines


def text_table(lines: list[list[str]]) -> str:
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    out = []
    for n, line in enumerate(lines):
        out.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                             for i, (c, w) in enumerate(zip(line, widths, strict=True))).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def markdown_table(lines: list[list[str]]) -> str:
    out = ["| " + " | ".join(lines[0]) + " |",
           "|" + "|".join(" :- " if i == 0 else " -: " for i in range(len(lines[0]))) + "|"]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in line) + " |" for line in lines[1:]]
    return "\n".join(out)


def machine() -> list[str]:
    import textual

    try:
        from importlib.metadata import version
        textual_version = version("textual")
    except Exception:  # noqa: BLE001 - only for the report
        textual_version = getattr(textual, "__version__", "?")
    return [f"- date: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
            f"- machine: `{' '.join(platform.uname())}`, {os.cpu_count()} CPUs",
            f"- Python {platform.python_version()}, Textual {textual_version}"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="100 and 500 items, few runs, no RESULTS.md (the CI smoke test)")
    parser.add_argument("--sizes", help="comma-separated item counts (default 1000,10000,100000)")
    parser.add_argument("--runs", type=int, help="timed runs per in-process figure")
    parser.add_argument("--pty-runs", type=int, help="spawns per start-up figure")
    parser.add_argument("--tinydb-runs", type=int, help="runs of each TinyDB baseline")
    parser.add_argument("--from-source", action="store_true",
                        help="run `python -m tui` from this checkout, not the installed command")
    parser.add_argument("--workdir", type=Path, help="keep the stores here (default: a temp dir)")
    parser.add_argument("--reuse", action="store_true",
                        help="with --workdir: reuse stores already there (no import figures)")
    parser.add_argument("--results", type=Path,
                        help="write the report here (default: bench/RESULTS.md, not with --quick)")
    args = parser.parse_args(argv)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _exit_on_signal)
    quick = args.quick
    sizes = ([int(s.replace("_", "")) for s in args.sizes.split(",")] if args.sizes
             else [100, 500] if quick else [1000, 10_000, 100_000])
    args.runs = args.runs or (3 if quick else 9)
    args.pty_runs = args.pty_runs or (1 if quick else 5)
    args.tinydb_runs = args.tinydb_runs or (1 if quick else 3)
    results_path = args.results or (None if quick else ROOT / "bench" / "RESULTS.md")

    command, env, described = newsdesk_command(args.from_source)
    env = {**os.environ, **env}
    python = python_of(command)
    load_before = load_average()
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        if args.workdir:
            work = args.workdir
            work.mkdir(parents=True, exist_ok=True)
        else:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="nd-bench-")))
        print(f"newsdesk: {described}; sizes {sizes}; load average {load_before}",
              file=sys.stderr, flush=True)
        floor = minimal_start(python, work, args.pty_runs)
        keys = minimal_keys(args.runs)
        floor["key"], floor["pilot"] = keys["frame"], keys["pilot"]
        results = {n: measure_size(n, args, work, command, env, python) for n in sizes}
    load_after = load_average()
    lines = build_table(sizes, results, floor)
    table = text_table(lines)
    print()
    print(f"newsdesk benchmark — {described}; load average {load_before} -> {load_after}; "
          f"{time.perf_counter() - started:.0f} s")
    print(table)
    debounce = results[sizes[-1]].get("debounce")
    print(f"(search keystroke excludes the {debounce:.0f} ms debounce; "
          "'key -> results' includes it)")
    if results_path is not None:
        command_line = "python bench/run.py " + " ".join(argv if argv is not None
                                                         else sys.argv[1:])
        report = ["# newsdesk benchmark results", "",
                  *machine(),
                  f"- command: `{command_line.strip()}` (newsdesk: `{described}`)",
                  f"- load average (1, 5, 15 min) before: {load_before}; after: {load_after}",
                  "", markdown_table(lines), "", NOTES]
        results_path.write_text("\n".join(report), encoding="utf-8")
        print(f"written to {results_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
