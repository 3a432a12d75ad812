"""Issue 19's speed targets, measured: a 20 MB line and hostile queries on 20,000 items.

    python bench/hardening.py            # 20,000 items, a 20 MB line
    python bench/hardening.py --n 2000   # quicker

Runs the command line from this checkout (``python -m tui``) in subprocesses, as a
user would, and the TUI's search path (parse, then ``Store.search`` on the numpy
path it uses from 10,000 items) in-process. Prints one row per measurement with its
target; nothing here is asserted (the tests check behaviour, this checks speed).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search import generate_items  # noqa: E402


def _cli(store: Path, *args: str, env: dict[str, str]) -> tuple[float, int, str, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "tui", "--store", str(store), *args],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    return time.perf_counter() - start, done.returncode, done.stdout, done.stderr


def _queries(words: list[str]) -> list[tuple[str, str]]:
    prefixes = sorted({w[:n] for w in words for n in (1, 2) if len(w) > n})[:256]
    distinct = sorted(set(words))
    return [
        ("one word (baseline)", "ukraine"),
        ("500 x 'a* OR' (3 KB, merged)", " OR ".join(["a*"] * 500)),
        ("2,000 x 'a* OR' (12 KB)", " OR ".join(["a*"] * 2000)),
        ("2,000 one-letter words (4 KB)", " ".join(random.Random(1).choices(
            "abcdefghijklmnopqrstuvwxyz", k=2000))[:4096]),
        ("256 different prefixes OR'ed", " OR ".join(f"{p}*" for p in prefixes)),
        ("256 different words OR'ed", " OR ".join(distinct[:256])),
        ("256 different words AND", " ".join(distinct[:256])),
        ("257 different words", " OR ".join(distinct[:257])),
        ("256 NOT prefixes", " ".join(f"-{p}*" for p in prefixes)),
        ("a 256-word phrase", '"' + " ".join(words[:256]) + '"'),
        ("64 nested parentheses", "(" * 64 + "nato" + ")" * 64),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20_000, help="items in the store")
    parser.add_argument("--line-mb", type=int, default=20, help="size of the long line")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="newsdesk-hardening-"))
    env = {**os.environ, "NEWSDESK_CONFIG_DIR": str(work / "config"),
           "PYTHONPATH": str(ROOT)}
    env.pop("NEWSDESK_STORE", None)
    rows: list[tuple[str, str, str, str]] = []

    # -- a 20 MB line -----------------------------------------------------------------
    rng = random.Random(7)
    vocab = ["alpha", "beta", "Gamma", "delta", "NATO", "Berlin", "drone", "summit", "talks"]
    size = args.line_mb * 1_000_000
    line = " ".join(rng.choices(vocab, k=size // 5))[:size]
    big = work / "big.txt"
    big.write_text(line + "\n", encoding="utf-8")
    del line
    wall, rc, _, err = _cli(work / "big-store", "import", str(big), env=env)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    note = next((x for x in err.splitlines() if "cut to" in x), "no note!")
    rows.append((f"import one {args.line_mb} MB line (CLI, whole process)", f"{wall:.2f} s",
                 "<= 10 s", f"rc={rc}; {note.rsplit(': ', 1)[-1][:40]}"))
    rows.append(("  peak RSS of that import", f"{peak:.0f} MB", "<= 500 MB", ""))

    # -- a store of n items -------------------------------------------------------------
    items, _ = generate_items(args.n)
    src = work / "items.txt"
    src.write_text("\n".join(item["body"] for item in items) + "\n", encoding="utf-8")
    store = work / "store"
    _cli(store, "init", "--empty", env=env)
    wall, rc, out, _ = _cli(store, "import", str(src), env=env)
    rows.append((f"import {args.n:,} items (setup)", f"{wall:.1f} s", "-", out.strip()))
    wall, rc, out, _ = _cli(store, "search", "--count", "ukraine", env=env)
    rows.append(("first search (builds the index; setup)", f"{wall:.1f} s", "-", out.strip()))

    words = [w.strip(".#'").lower() for item in items[:400] for w in item["body"].split()]
    # and/or/not are operators in any case (as in notmuch): not words of a query
    words = [w for w in words if w.isalpha() and w not in ("and", "or", "not")]
    queries = _queries(words)
    for label, query in queries:
        wall, rc, out, err = _cli(store, "search", "--count", query, env=env)
        result = f"{int(out)} matches" if rc == 0 else "refused: " + err.split(": ", 2)[-1][:50]
        rows.append((f"CLI  {label}", f"{wall:.2f} s", "<= 2 s", result.strip()))

    # -- the TUI's search bar: what a settled keystroke runs --------------------------
    from store.desk import Store
    from store.search.query import QuerySyntaxError, parse

    opened = Store.open(store, create=False)
    opened.ensure_index()
    for label, query in queries:
        start = time.perf_counter()
        try:
            found = len(opened.search(parse(query), order="relevance"))
            result = f"{found} matches"
        except QuerySyntaxError as exc:
            result = f"refused: {exc.message[:50]}"
        wall = time.perf_counter() - start
        rows.append((f"TUI  {label}", f"{wall * 1000:.0f} ms", "<= 2 s", result))

    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'measured':>10}  {'target':>9}  note")
    for name, value, target, note in rows:
        print(f"{name:<{width}}  {value:>10}  {target:>9}  {note}")
    print(f"\n({os.cpu_count()} cores; work folder {work}"
          f"{' kept' if args.keep else ' removed'})")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
