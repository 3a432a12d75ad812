"""Flat cost (issue 18): what a user's whole processes cost at two store sizes, vs notmuch.

    python bench/scale.py                             # 30,000 and 300,000 items
    python bench/scale.py --sizes 10000,100000        # other sizes
    python bench/scale.py --million                   # also 1,000,000 (slow to build)
    python bench/scale.py --keep /work/scale-stores   # build once, reuse the stores later
    python bench/scale.py --markdown                  # the tables as Markdown (RESULTS.md)
    python bench/scale.py --command newsdesk          # an installed command, not this checkout
    python bench/scale.py --sizes 200,400 --runs 1 --new 50 --no-tui --no-notmuch  # smoke

Each store is built from ``bench/search.py``'s ``generate_items(n, seed=1)``, written as
JSON Lines (title, text, date, feed) and imported with ``init --empty`` then ``import``.
Every action is a whole process as a user runs it, timed from launch to exit; its peak
memory is the child's own ``ru_maxrss`` (``os.wait4``):

- **ready**: the import of all the items into the empty store plus the first
  ``search --count QUERY`` (once, when the store is built; ``--keep`` remembers it);
- **tag**: ``tag ID +x`` / ``tag ID -x`` alternately on an existing item;
- **search**: ``search --json --limit 50 QUERY`` and ``search --count QUERY``;
- **top-50**: ``list --json --limit 50``, only if ``list`` has ``--limit``;
- **import 1,000**: a fresh file of ``--new`` new items each run, into a copy of the
  store (so a kept store stays as built);
- **TUI first frame**: ``newsdesk --store S`` in a 120x40 pseudo-terminal until an item's
  title shows; then until the list is loaded (``All items (N)``), then ``q``; the peak
  memory is that of the whole TUI process.

Each figure is the median of ``--runs`` runs (import: at most 3; ready: 1); memory is
the largest peak of the runs. Growth is the largest size's median over the smallest's.
If ``notmuch`` is on PATH, the same corpus goes into a maildir (one file per item:
Subject = title, Date, Message-ID = item id), ``notmuch new`` is timed as its ready,
then ``notmuch count``, ``notmuch search --format=json --limit=50`` and
``notmuch tag +x -- id:ID``; a second table gives the ratio newsdesk/notmuch.
The machine is shared: run nothing else meanwhile, and compare ratios within a run.
"""

from __future__ import annotations

import argparse
import contextlib
import email.utils
import json
import os
import platform
import re
import select
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.ptyterm import screen_text, set_size  # noqa: E402

CODE = "import sys; from tui.cli import main; sys.exit(main(sys.argv[1:]))"
DEFAULT_SIZES = (30_000, 300_000)
QUERY = "ukraine"
TAG = "x"
SEED = 1
TUI_SIZE = (120, 40)
MB = 1024  # ru_maxrss is in KB on Linux
META = "meta.json"
META_VERSION = 1
TITLES = "titles.txt"
PROBE = 24  # characters of a title that must show: shorter than any list row's
CANDIDATE = re.compile(rf"(?=([A-Z][^│┃\r\n]{{{PROBE - 1}}}))")  # titles start upper-case
LOADED = re.compile(r"All items, [^()\n]{0,40}\(\d")  # "All items, newest first (30,000)"


class BenchError(RuntimeError):
    """Something the benchmark needs did not happen; the message says what."""


@dataclass
class Run:
    """One process: wall seconds from launch to exit, peak RSS in KB, what it printed."""

    seconds: float
    rss_kb: int
    out: str = ""


@dataclass
class Figure:
    """An action at one size: median seconds, largest peak RSS, how many runs."""

    seconds: float | None
    rss_kb: int | None
    runs: int = 0
    note: str = ""

    @classmethod
    def of(cls, runs: Sequence[Run], note: str = "") -> Figure:
        return cls(statistics.median(r.seconds for r in runs), max(r.rss_kb for r in runs),
                   len(runs), note)


@dataclass
class Target:
    """Limits for one row: growth (largest/smallest size), seconds and MB at the largest."""

    growth: float | None = None
    seconds: float | None = None
    mb: float | None = None

    def text(self) -> str:
        parts = []
        if self.growth is not None:
            parts.append(f"growth <= {self.growth:g}x")
        if self.seconds is not None:
            parts.append(f"<= {self.seconds:g} s")
        if self.mb is not None:
            parts.append(f"<= {self.mb / 1024:g} GB" if self.mb >= 1024 else f"<= {self.mb:g} MB")
        return ", ".join(parts)


@dataclass
class Row:
    action: str
    target: Target
    figures: dict[int, Figure] = field(default_factory=dict)
    note: str = ""


ACTIONS: list[tuple[str, str, Target]] = [
    # (key, label, target)
    ("ready", "ready: import all + first search --count", Target(None, 60.0, 1024)),
    ("tag", f"CLI tag ID +{TAG}/-{TAG}", Target(1.5, 0.15, 150)),
    ("search_json", "CLI search --json --limit 50", Target(1.5, 0.15, None)),
    ("search_count", "CLI search --count", Target(1.5, 0.15, None)),
    ("top50", "CLI list --json --limit 50 (top-50)", Target(1.5, None, None)),
    ("import_new", "import {new:,} new items", Target(1.5, None, 1024)),
    ("tui_first", "TUI first frame (item text)", Target(1.5, 1.0, 400)),
    ("tui_loaded", "  TUI list loaded (All items, … (N))", Target()),
]
NOTMUCH_ACTIONS: list[tuple[str, str, str]] = [
    # (key, label, the newsdesk key it is compared with)
    ("ready", "ready: notmuch new (all)", "ready"),
    ("tag", f"notmuch tag +{TAG}/-{TAG} -- id:ID", "tag"),
    ("search_json", "notmuch search --format=json --limit=50", "search_json"),
    ("search_count", "notmuch count", "search_count"),
]


# -- processes ---------------------------------------------------------------------------


SPAWNER = r"""
import fcntl, json, os, sys, termios, time

def child(req):
    if req.get("tty"):
        os.setsid()
        fd = os.open(req["tty"], os.O_RDWR)
        fcntl.ioctl(fd, termios.TIOCSCTTY, 0)
        for n in (0, 1, 2):
            os.dup2(fd, n)
        if fd > 2:
            os.close(fd)
    else:
        for n, key, flags in ((0, "stdin", os.O_RDONLY),
                              (1, "stdout", os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                              (2, "stderr", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)):
            fd = os.open(req.get(key) or os.devnull, flags, 0o600)
            os.dup2(fd, n)
            os.close(fd)
    os.chdir(req["cwd"])
    os.execvpe(req["argv"][0], req["argv"], req["env"])

for line in sys.stdin:
    req = json.loads(line)
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            child(req)
        finally:
            os._exit(127)
    print(json.dumps({"pid": pid, "started": start}), flush=True)
    _, status, usage = os.wait4(pid, 0)
    print(json.dumps({"seconds": time.monotonic() - start, "rss_kb": usage.ru_maxrss,
                      "status": os.waitstatus_to_exitcode(status)}), flush=True)
"""


class Spawner:
    """Starts every measured process from a small helper process.

    Linux counts into a child's ``ru_maxrss`` the memory of the process it was forked
    from (the pre-``exec`` image, and with vfork that one's own peak): spawned from this
    benchmark, which holds a whole generated corpus, every child would seem to use
    hundreds of MB. The helper is a bare ``python -S`` started first and kept small, so
    a child's figure is its own peak, or the helper's few MB (``floor_kb``) if less.
    It times each child from fork to exit and reads its peak with ``os.wait4``.
    """

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-S", "-c", SPAWNER],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._buffer = b""
        self.floor_kb = self.run(["true"], {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
                                 ).rss_kb

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(10)

    def start(self, argv: Sequence[str], env: dict[str, str], *, cwd: Path = REPO,
              **files: str) -> tuple[int, float]:
        """Start ``argv`` (files: stdin, stdout, stderr paths, or tty); (pid, started)."""
        assert self.proc.stdin is not None
        request = {"argv": list(argv), "env": env, "cwd": str(cwd), **files}
        self.proc.stdin.write(json.dumps(request).encode() + b"\n")
        self.proc.stdin.flush()
        started = self.reply(None)
        assert started is not None
        return started["pid"], started["started"]

    def reply(self, timeout: float | None) -> dict[str, Any] | None:
        """The helper's next line, or None if none came within ``timeout`` seconds."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not select.select([fd], [], [], left)[0]:
                return None
            data = os.read(fd, 65536)
            if not data:
                raise BenchError("the spawner helper died")
            self._buffer += data
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def run(self, argv: Sequence[str], env: dict[str, str], *, cwd: Path = REPO,
            stdin: Path | None = None) -> Run:
        """Run ``argv`` to its end: wall time, its own peak RSS, what it printed."""
        with tempfile.TemporaryDirectory(prefix="scale-run-") as tmp:
            out, err = Path(tmp) / "out", Path(tmp) / "err"
            self.start(argv, env, cwd=cwd, stdout=str(out), stderr=str(err),
                       **({"stdin": str(stdin)} if stdin else {}))
            done = self.reply(None)
            assert done is not None
            text = out.read_text(encoding="utf-8", errors="replace")
            if done["status"] != 0:
                problem = err.read_text(encoding="utf-8", errors="replace") or text
                raise BenchError(f"`{shlex.join(argv)}` failed ({done['status']}):\n"
                                 f"{problem[-2000:]}")
        return Run(done["seconds"], done["rss_kb"], text)


_SPAWNER: Spawner | None = None


def measured(argv: Sequence[str], env: dict[str, str], *, cwd: Path = REPO,
             stdin: Path | None = None) -> Run:
    """Run ``argv`` through the spawner: wall time, its own peak RSS (KB), its stdout."""
    return spawner().run(argv, env, cwd=cwd, stdin=stdin)


def spawner() -> Spawner:
    global _SPAWNER
    if _SPAWNER is None:
        _SPAWNER = Spawner()
    return _SPAWNER


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """Own HOME and settings; this checkout importable; nothing from the caller's store."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TERM": "xterm-256color",
        "NEWSDESK_CONFIG_DIR": str(home / "config"),
        "PYTHONPATH": str(REPO),
    }
    env.update(extra)
    return env


class Newsdesk:
    """The command (this checkout, or ``--command``) and the environment it runs in."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.command = command
        self.env = env

    def argv(self, store: Path, *args: str) -> list[str]:
        return [*self.command, "--store", str(store), *args]

    def run(self, store: Path, *args: str) -> Run:
        return measured(self.argv(store, *args), self.env)

    def has_option(self, command: str, option: str) -> bool:
        with tempfile.TemporaryDirectory() as tmp:
            help_text = measured(self.argv(Path(tmp) / "store", command, "--help"),
                                 self.env).out
        return option in help_text


def repeat(runs: int, fn: Callable[[int], Run]) -> list[Run]:
    return [fn(i) for i in range(runs)]


# -- the corpus --------------------------------------------------------------------------


def corpus(n: int, seed: int) -> list[dict[str, Any]]:
    from bench.search import generate_items

    items, _ = generate_items(n, seed=seed)
    return items


def write_jsonl(items: Sequence[dict[str, Any]], path: Path) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for item in items:
            out.write(json.dumps({"title": item["title"], "text": item["body"],
                                  "date": item["date"], "feed": item["source"]},
                                 ensure_ascii=False) + "\n")
    return path


def mail_of(item: dict[str, Any]) -> bytes:
    when = datetime.strptime(item["date"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    subject = " ".join(item["title"].split())
    return (f"From: Newswire <wire@bench.invalid>\n"
            f"To: Desk <desk@bench.invalid>\n"
            f"Subject: {subject}\n"
            f"Date: {email.utils.format_datetime(when)}\n"
            f"Message-ID: <{item['id']}>\n"
            f"MIME-Version: 1.0\n"
            f"Content-Type: text/plain; charset=utf-8\n"
            f"Content-Transfer-Encoding: 8bit\n\n"
            f"{item['body']}\n").encode()


def write_maildir(items: Sequence[dict[str, Any]], folder: Path) -> None:
    for sub in ("cur", "new", "tmp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    cur = folder / "cur"
    for item in items:
        (cur / f"{item['id']}.bench:2,").write_bytes(mail_of(item))


# -- one size ----------------------------------------------------------------------------


@dataclass
class Built:
    """A store (and maybe a notmuch maildir) of ``size`` items, and what building cost."""

    size: int
    folder: Path
    meta: dict[str, Any]

    @property
    def store(self) -> Path:
        return self.folder / "store"

    @property
    def maildir(self) -> Path:
        return self.folder / "maildir"

    @property
    def notmuch_config(self) -> Path:
        return self.folder / "notmuch-config"


def build_store(nd: Newsdesk, size: int, folder: Path, log: Callable[[str], None]
                ) -> dict[str, Any]:
    """The newsdesk store of ``size`` items in ``folder/store`` (and their titles in
    ``folder/titles.txt``); its meta: what the import and the first search cost."""
    meta_path = folder / META
    if meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("version") == META_VERSION and meta.get("size") == size and \
                "newsdesk" in meta and (folder / "store").is_dir():
            log(f"{size:,}: reusing the store in {folder} (built {meta['newsdesk']['built']})")
            return meta
    shutil.rmtree(folder / "store", ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    log(f"{size:,}: generating the items")
    items = corpus(size, SEED)
    source = write_jsonl(items, folder / "items.jsonl")
    store = folder / "store"
    nd.run(store, "init", "--empty")
    log(f"{size:,}: importing {size:,} items")
    imported = nd.run(store, "import", str(source))
    first = nd.run(store, "search", "--count", QUERY)
    log(f"{size:,}: import {imported.seconds:.1f} s, first search {first.seconds:.2f} s "
        f"({first.out.strip()} hits)")
    source.unlink()
    write_titles(items, folder / TITLES)
    meta = {
        "version": META_VERSION,
        "size": size,
        "newsdesk": {
            "built": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "import": [imported.seconds, imported.rss_kb, imported.out.strip()],
            "first_search": [first.seconds, first.rss_kb, first.out.strip()],
        },
    }
    meta_path.write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return meta


def notmuch_env(built: Built, home: Path) -> dict[str, str]:
    return clean_env(home, NOTMUCH_CONFIG=str(built.notmuch_config))


def build_notmuch(built: Built, home: Path, log: Callable[[str], None]) -> None:
    """The maildir and its notmuch database; ``notmuch new`` timed into the meta."""
    meta = built.meta
    if "notmuch" in meta and (built.maildir / ".notmuch").is_dir():
        log(f"{built.size:,}: reusing the notmuch maildir (built {meta['notmuch']['built']})")
        return
    shutil.rmtree(built.maildir, ignore_errors=True)
    log(f"{built.size:,}: writing {built.size:,} mails")
    write_maildir(corpus(built.size, SEED), built.maildir)
    built.notmuch_config.write_text(
        "[database]\n"
        f"path={built.maildir}\n"
        "[user]\nname=Desk\nprimary_email=desk@bench.invalid\n"
        "[new]\ntags=unread;inbox;\nignore=\n"
        "[search]\nexclude_tags=\n"
        "[maildir]\nsynchronize_flags=false\n", encoding="utf-8")
    log(f"{built.size:,}: notmuch new")
    ready = measured(["notmuch", "new", "--quiet"], notmuch_env(built, home))
    first = measured(["notmuch", "count", QUERY], notmuch_env(built, home))
    log(f"{built.size:,}: notmuch new {ready.seconds:.1f} s, first count {first.seconds:.2f} s")
    meta["notmuch"] = {
        "built": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "new": [ready.seconds, ready.rss_kb],
        "first_count": [first.seconds, first.rss_kb, first.out.strip()],
    }
    (built.folder / META).write_text(json.dumps(meta, indent=1), encoding="utf-8")


def ready_figure(parts: Sequence[Sequence[Any]], note: str) -> Figure:
    return Figure(sum(p[0] for p in parts), max(p[1] for p in parts), 1, note)


def write_titles(items: Sequence[dict[str, Any]], path: Path) -> None:
    path.write_text("".join(" ".join(it["title"].split()) + "\n" for it in items),
                    encoding="utf-8")


def title_probes(built: Built) -> frozenset[str]:
    """The first ``PROBE`` characters of every item's title (what a list row shows)."""
    path = built.folder / TITLES
    if not path.exists():  # a store kept by an older version of this script
        write_titles(corpus(built.size, SEED), path)
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line[:PROBE] for line in lines if len(line) >= PROBE)


def shows_a_title(text: str, probes: frozenset[str]) -> bool:
    """Whether any title's first ``PROBE`` characters are on screen (any item, any order)."""
    return any(m.group(1) in probes for m in CANDIDATE.finditer(text))


def tui_run(nd: Newsdesk, store: Path, probes: frozenset[str], timeout: float
            ) -> tuple[Run, Run]:
    """One TUI launch in a pseudo-terminal: (until an item's title shows, until the list
    is loaded); both with the process's peak RSS (it is quit with q once loaded).

    Like ``bench/ptyterm.PtyTerminal`` (whose ``set_size`` and ``screen_text`` it uses),
    but the program is started by the spawner, so that its peak RSS is its own."""
    master, slave = os.openpty()
    set_size(slave, *TUI_SIZE)
    helper = spawner()
    pid, started = helper.start(nd.argv(store), nd.env, tty=os.ttyname(slave))
    os.close(slave)
    output = bytearray()
    first: float | None = None
    loaded: float | None = None
    done: dict[str, Any] | None = None

    def read(wait: float) -> bool:
        if not select.select([master], [], [], wait)[0]:
            return False
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the program closed the terminal
            return False
        output.extend(data)
        return bool(data)

    try:
        deadline = started + timeout
        while loaded is None and time.monotonic() < deadline:
            got = read(min(0.2, max(0.0, deadline - time.monotonic())))
            text = screen_text(bytes(output))
            now = time.monotonic() - started
            if first is None and shows_a_title(text, probes):
                first = now
            if first is not None and LOADED.search(text):
                loaded = now
            if not got and (done := helper.reply(0)) is not None:
                break
        if first is None or loaded is None:
            tail = screen_text(bytes(output[-3000:]))
            raise BenchError(f"the TUI showed no {'item' if first is None else 'loaded list'}"
                             f" in {timeout:g} s; last output: {tail!r}")
        os.write(master, b"q")
        end = time.monotonic() + 30
        while done is None and time.monotonic() < end:
            read(0.05)
            done = helper.reply(0)
    finally:
        if done is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            done = helper.reply(None)
        os.close(master)
    assert done is not None
    return Run(first, done["rss_kb"]), Run(loaded, done["rss_kb"])


def measure_size(nd: Newsdesk, built: Built, args: argparse.Namespace, home: Path,
                 has_top: bool, log: Callable[[str], None]) -> dict[str, Figure]:
    store, meta, runs = built.store, built.meta, args.runs
    parts = [meta["newsdesk"]["import"], meta["newsdesk"]["first_search"]]
    out: dict[str, Figure] = {
        "ready": ready_figure(parts, f"import {parts[0][0]:.1f} s, first search "
                                     f"{parts[1][0]:.2f} s; built {meta['newsdesk']['built']}")}
    log(f"{built.size:,}: search --json --limit 50")
    searched = repeat(runs, lambda _: nd.run(store, "search", "--json", "--limit", "50",
                                             QUERY))
    out["search_json"] = Figure.of(searched)
    ids = [json.loads(line)["id"] for line in searched[0].out.splitlines() if line.strip()]
    if not ids:
        raise BenchError(f"search {QUERY!r} found nothing in the {built.size:,} store")
    log(f"{built.size:,}: search --count")
    out["search_count"] = Figure.of(repeat(runs, lambda _: nd.run(store, "search", "--count",
                                                                  QUERY)))
    log(f"{built.size:,}: tag")
    tagged = repeat(runs, lambda i: nd.run(store, "tag", ids[0], ("+" if i % 2 == 0 else "-")
                                           + TAG))
    if runs % 2:
        nd.run(store, "tag", ids[0], "-" + TAG)  # leave the store as built
    out["tag"] = Figure.of(tagged)
    if has_top:
        log(f"{built.size:,}: list --json --limit 50")
        out["top50"] = Figure.of(repeat(runs, lambda _: nd.run(store, "list", "--json",
                                                               "--limit", "50")))
    log(f"{built.size:,}: import {args.new:,} new items x{min(3, runs)}")
    scratch = home / f"import-{built.size}"
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(store, scratch / "store")
    try:
        files = [write_jsonl(corpus(args.new, 1000 + i), scratch / f"new-{i}.jsonl")
                 for i in range(min(3, runs))]
        imports = [nd.run(scratch / "store", "import", str(f)) for f in files]
        for done in imports:
            if not done.out.startswith(f"{args.new} added"):
                raise BenchError(f"the import of {args.new} new items said {done.out!r}")
        out["import_new"] = Figure.of(imports)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if args.tui:
        log(f"{built.size:,}: TUI")
        probes = title_probes(built)
        try:
            tui_run(nd, store, probes, args.tui_timeout)  # warm the caches; writes its place
            pairs = [tui_run(nd, store, probes, args.tui_timeout) for _ in range(runs)]
        except BenchError as exc:  # the other rows are still worth printing
            log(f"{built.size:,}: TUI failed: {exc}")
            failed = f"failed at {built.size:,}: {str(exc)[:120]}"
            out["tui_first"] = Figure(None, None, 0, failed)
        else:
            out["tui_first"] = Figure.of([p[0] for p in pairs])
            out["tui_loaded"] = Figure.of([p[1] for p in pairs])
    return out


def measure_notmuch(built: Built, args: argparse.Namespace, home: Path,
                    ids: Sequence[str]) -> dict[str, Figure]:
    env, runs = notmuch_env(built, home), args.runs
    nm = built.meta["notmuch"]
    out = {"ready": ready_figure([nm["new"], nm["first_count"]],
                                 f"notmuch new {nm['new'][0]:.1f} s, first count "
                                 f"{nm['first_count'][0]:.2f} s")}
    out["search_json"] = Figure.of(repeat(runs, lambda _: measured(
        ["notmuch", "search", "--format=json", "--limit=50", QUERY], env)))
    out["search_count"] = Figure.of(repeat(runs, lambda _: measured(
        ["notmuch", "count", QUERY], env)))
    mid = ids[0]
    if measured(["notmuch", "count", f"id:{mid}"], env).out.strip() != "1":
        raise BenchError(f"notmuch does not know id:{mid}")
    out["tag"] = Figure.of(repeat(runs, lambda i: measured(
        ["notmuch", "tag", ("+" if i % 2 == 0 else "-") + TAG, "--", f"id:{mid}"], env)))
    if runs % 2:
        measured(["notmuch", "tag", "-" + TAG, "--", f"id:{mid}"], env)
    return out


# -- the tables --------------------------------------------------------------------------


def fmt_seconds(s: float | None) -> str:
    if s is None:
        return "-"
    return f"{s:.1f} s" if s >= 10 else f"{s:.2f} s" if s >= 1 else f"{s * 1000:.0f} ms"


def fmt_mb(kb: int | None) -> str:
    return "-" if kb is None else f"{kb / MB:.0f} MB"


def verdict(row: Row, sizes: Sequence[int]) -> str:
    small, large = row.figures.get(sizes[0]), row.figures.get(sizes[-1])
    t = row.target
    if large is None or large.seconds is None or not t.text():
        return ""
    missed = []
    if t.growth is not None and small is not None and small.seconds:
        if large.seconds / small.seconds > t.growth:
            missed.append("growth")
    if t.seconds is not None and large.seconds > t.seconds:
        missed.append("time")
    if t.mb is not None and large.rss_kb is not None and large.rss_kb / MB > t.mb:
        missed.append("memory")
    return "MISS (" + ", ".join(missed) + ")" if missed else "ok"


def growth(row: Row, sizes: Sequence[int]) -> str:
    small, large = row.figures.get(sizes[0]), row.figures.get(sizes[-1])
    if not small or not large or not small.seconds or large.seconds is None:
        return "-"
    return f"{large.seconds / small.seconds:.2f}x"


def render(header: list[str], rows: list[list[str]], markdown: bool) -> list[str]:
    if markdown:
        lines = ["| " + " | ".join(header) + " |",
                 "| " + " | ".join([":-"] + ["-:"] * (len(header) - 3) + [":-", ":-"])
                 + " |"]
        return lines + ["| " + " | ".join(c.strip() for c in r) + " |" for r in rows]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return " | ".join(c.ljust(w) if i == 0 or i >= len(cells) - 2 else c.rjust(w)
                          for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return [line(header), "-+-".join("-" * w for w in widths), *(line(r) for r in rows)]


def main_table(rows: list[Row], sizes: Sequence[int], markdown: bool) -> list[str]:
    header = ["action", *(f"{n:,}: time, peak RSS" for n in sizes),
              f"growth {sizes[0]:,}->{sizes[-1]:,}", f"target (at {sizes[-1]:,})", "met"]
    body = []
    for row in rows:
        cells = [row.action]
        for n in sizes:
            f = row.figures.get(n)
            cells.append("-" if f is None else f"{fmt_seconds(f.seconds)}, {fmt_mb(f.rss_kb)}")
        cells += [growth(row, sizes), row.target.text(), verdict(row, sizes) or row.note]
        body.append(cells)
    return render(header, body, markdown)


def notmuch_table(nd_rows: dict[str, Row], nm_rows: list[tuple[Row, str]],
                  sizes: Sequence[int], markdown: bool) -> list[str]:
    header = ["notmuch action", *(f"{n:,}: time, peak RSS" for n in sizes),
              f"growth {sizes[0]:,}->{sizes[-1]:,}",
              f"newsdesk/notmuch time (at {sizes[-1]:,})", "memory ratio"]
    body = []
    for row, key in nm_rows:
        cells = [row.action]
        for n in sizes:
            f = row.figures.get(n)
            cells.append("-" if f is None else f"{fmt_seconds(f.seconds)}, {fmt_mb(f.rss_kb)}")
        ours = nd_rows[key].figures.get(sizes[-1])
        theirs = row.figures.get(sizes[-1])
        ratio = mem = "-"
        if ours and theirs and ours.seconds is not None and theirs.seconds:
            ratio = f"{ours.seconds / theirs.seconds:.1f}x ({nd_rows[key].action.strip()})"
        if ours and theirs and ours.rss_kb and theirs.rss_kb:
            mem = f"{ours.rss_kb / theirs.rss_kb:.1f}x"
        body.append(cells + [growth(row, sizes), ratio, mem])
    return render(header, body, markdown)


def git_head() -> str:
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--",
                                "store", "tui"], capture_output=True, text=True).stdout
        return head + (" (+ uncommitted changes)" if dirty.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "?"


@contextmanager
def workdir(keep: Path | None) -> Iterator[tuple[Path, Path]]:
    """(where the stores go, a scratch HOME): ``--keep`` or a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="scale-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        if keep is None:
            yield Path(tmp) / "stores", home
        else:
            keep.mkdir(parents=True, exist_ok=True)
            yield keep, home


def parse_sizes(text: str) -> list[int]:
    sizes = sorted({int(s.replace("_", "").replace(",", "")) for s in text.split(",")
                    if s.strip()})
    if not sizes or min(sizes) < 10:
        raise argparse.ArgumentTypeError("sizes: at least one, each >= 10")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=parse_sizes, default=list(DEFAULT_SIZES),
                        help="store sizes, comma-separated (default: 30000,300000)")
    parser.add_argument("--million", action="store_true", help="also 1,000,000 items")
    parser.add_argument("--runs", type=int, default=5, help="runs per action (default 5)")
    parser.add_argument("--new", type=int, default=1000,
                        help="items per 'import new items' run (default 1000)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="build the stores (and maildirs) in DIR and reuse them next time")
    parser.add_argument("--command", default=None,
                        help="how to start newsdesk (default: this checkout's tui.cli)")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument("--no-tui", dest="tui", action="store_false",
                        help="skip the TUI first-frame row")
    parser.add_argument("--no-notmuch", dest="notmuch", action="store_false",
                        help="skip notmuch even if it is on PATH")
    parser.add_argument("--tui-timeout", type=float, default=120.0, metavar="S")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    sizes = sorted(set(args.sizes) | ({1_000_000} if args.million else set()))
    args.runs = max(1, args.runs)
    started = time.perf_counter()
    started_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def log(message: str) -> None:
        if not args.quiet:
            print(f"[{time.perf_counter() - started:7.1f} s] {message}", file=sys.stderr,
                  flush=True)

    command = shlex.split(args.command) if args.command else [sys.executable, "-c", CODE]
    notmuch = shutil.which("notmuch") if args.notmuch else None
    load_before = os.getloadavg()
    floor_kb = spawner().floor_kb  # started now, while this process is small
    with workdir(args.keep) as (stores, home):
        nd = Newsdesk(command, clean_env(home))
        has_top = nd.has_option("list", "--limit")
        rows = {key: Row(label.format(new=args.new), target) for key, label, target in ACTIONS}
        nm_rows = {key: (Row(label, Target()), ours) for key, label, ours in NOTMUCH_ACTIONS}
        if not has_top:
            rows["top50"].note = "skipped: `list` has no --limit"
        if not args.tui:
            rows["tui_first"].note = rows["tui_loaded"].note = "skipped (--no-tui)"
        nm_failures: list[str] = []
        for size in sizes:
            folder = stores / f"scale-{size}"
            built = Built(size, folder, build_store(nd, size, folder, log))
            figures = measure_size(nd, built, args, home, has_top, log)
            for key, figure in figures.items():
                rows[key].figures[size] = figure
                if figure.note.startswith("failed"):
                    rows[key].note = "; ".join(filter(None, [rows[key].note, figure.note]))
            if notmuch:
                try:
                    build_notmuch(built, home, log)
                    log(f"{size:,}: notmuch actions")
                    ids = [json.loads(line)["id"] for line in
                           nd.run(built.store, "search", "--json", "--limit", "5",
                                  QUERY).out.splitlines()]
                    for key, figure in measure_notmuch(built, args, home, ids).items():
                        nm_rows[key][0].figures[size] = figure
                except BenchError as exc:
                    log(f"{size:,}: notmuch failed: {exc}")
                    nm_failures.append(f"notmuch failed at {size:,}: {str(exc)[:200]}")
    load_after = os.getloadavg()
    spawner().close()

    md = args.markdown
    shown_argv = ["python", "bench/scale.py", *(sys.argv[1:] if argv is None else argv)]
    facts = [
        f"command: `{shlex.join(shown_argv)}`",
        f"date: {started_at} to {datetime.now(UTC).strftime('%H:%M:%SZ')}",
        f"newsdesk: `{shlex.join(command) if args.command else 'this checkout'}` at "
        f"{REPO} ({git_head()})",
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}",
        f"query: {QUERY!r}; runs per action: {args.runs} (median time, largest peak RSS); "
        f"import runs: {min(3, args.runs)}; ready: 1",
        "load average (1, 5, 15 min) before: " + " ".join(f"{x:.2f}" for x in load_before)
        + "; after: " + " ".join(f"{x:.2f}" for x in load_after),
    ]
    print("\n".join(("- " if md else "") + f for f in facts))
    print()
    print("\n".join(main_table(list(rows.values()), sizes, md)))
    notes = []
    for n in sizes:
        ready = rows["ready"].figures.get(n)
        if ready is not None and ready.note:
            notes.append(f"ready at {n:,}: {ready.note}")
    notes += [f"{row.action.strip()}: {row.note}" for row in rows.values() if row.note]
    if args.tui:
        notes.append("TUI peak RSS: the whole TUI process, started until quit after the "
                     "list loaded; first frame = an item title on screen")
    notes.append(f"peak RSS: each process's own (os.wait4), started from a small helper; "
                 f"{fmt_mb(floor_kb)} (the helper's) is the least it can show")
    notes.append("growth: median time at the largest size / at the smallest; time and "
                 "memory targets apply at the largest size")
    print()
    print("\n".join(("- " if md else "") + n for n in notes))
    print()
    if notmuch:
        print("\n".join(notmuch_table(rows, list(nm_rows.values()), sizes, md)))
        nm_notes = [f"notmuch ready at {n:,}: {row.figures[n].note}"
                    for row, key in nm_rows.values() if key == "ready"
                    for n in sizes if n in row.figures]
        nm_notes += nm_failures
        nm_notes.append("the same corpus as one mail per item in a maildir (Subject = "
                        "title, Date, Message-ID = item id, body), a temporary NOTMUCH_CONFIG")
        print()
        print("\n".join(("- " if md else "") + n for n in nm_notes))
    else:
        why = "--no-notmuch" if not args.notmuch else "notmuch is not on PATH"
        print(("- " if md else "") + f"notmuch: not measured ({why})")
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except BenchError as exc:
        print(f"scale.py: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
