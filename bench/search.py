"""Benchmark the search index against TinyDB's regex search on synthetic briefs.

    python bench/search.py            # 100,000 items
    python bench/search.py --quick    # 2,000 items
    python bench/search.py --n 20000

Prints one row per query: in-process median and p95 latency of ``SearchIndex.search``,
the TinyDB baseline (``db.search(where('body').search(regex))`` on a TinyDB JSON file
written in the same run) and the speed-up; then build time, cache size and load time.
To add a column (CLI, TUI keystroke), add a key to each row dict and to ``COLUMNS``.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from store.search.index import MemoryUserState, SearchIndex  # noqa: E402
from store.text.clean import item_id, make_title  # noqa: E402

PEOPLE = [
    "Volodymyr Zelenskyy", "Donald Tusk", "Olaf Scholz", "Emmanuel Macron", "Keir Starmer",
    "Mark Rutte", "Sergey Lavrov", "Dmitry Peskov", "Mette Frederiksen", "Antonio Costa",
    "Ursula von der Leyen", "Kaja Kallas", "Giorgia Meloni", "Pedro Sánchez", "Viktor Orbán",
    "Robert Fico", "Keith Kellogg", "Marco Rubio", "Andrii Sybiha", "Friedrich Merz",
]
PLACES = [
    "Kyiv", "Paris", "Berlin", "Warsaw", "Brussels", "London", "Moscow", "Washington",
    "Vilnius", "Riga", "Tallinn", "Bucharest", "Kharkiv", "Odesa", "Zaporizhzhia", "Donetsk",
    "Crimea", "Ankara", "Geneva", "Rome", "Madrid", "Budapest", "Bratislava", "Helsinki",
    "Stockholm", "Copenhagen", "Oslo", "Prague", "Bydgoszcz", "Rzeszów",
]
ORGS = ["NATO", "EU", "UN", "IAEA", "OSCE", "G7", "European Commission", "Pentagon",
        "Kremlin", "Rheinmetall", "IMF", "World Bank"]
NOUNS = """security guarantees troops ceasefire sanctions aid package drones missiles
air defense talks summit meeting deal negotiations agreement sovereignty accession
membership alliance army soldiers vehicles losses frontline offensive counteroffensive
budget funding billion euros dollars spending infrastructure energy grid gas oil pipeline
grain exports ports shipping cable elections parliament coalition government minister
president chancellor premier ambassador delegation envoy diplomats officials experts
strategy reform corruption investigation court verdict refugees humanitarian corridor
reconstruction investment loan bonds inflation economy industry production factory
ammunition shells artillery tanks jets pilots training brigade reservists mobilization
border checkpoint territory region city village strike attack shelling explosion""".split()
VERBS = """announced discussed agreed rejected approved criticized welcomed proposed signed
warned urged pledged confirmed denied reported launched suspended extended delivered
promised demanded considered postponed accelerated blocked supported opposed""".split()
ADJS = """new European Russian Ukrainian military diplomatic economic additional long-term
fragile lasting joint emergency informal bilateral multilateral strategic critical major
senior national regional global eastern western northern southern""".split()
FILLER = """the a of to in on for with and at by from that this its their after before
during over under against between about into through while also further more""".split()
TAGS = ["region/europe", "region/europe/baltics", "region/asia", "follow-up", "people/vip",
        "topic/energy", "urgent"]
TOPICS = ["Security/NATO", "Security/Air defense", "Economy/Energy", "Economy/Aid",
          "Diplomacy/Talks", "Diplomacy/EU accession", "War/Frontline", "War/Losses"]


def _rare_words(rng: random.Random, count: int) -> list[str]:
    """Made-up words, so the vocabulary is as large as a real one's long tail."""
    syllables = ["ka", "lo", "mi", "ren", "sto", "vak", "dor", "pel", "tis", "zan", "gru",
                 "bek", "fal", "nov", "shi", "tro", "ulm", "yar", "ost", "ene"]
    return ["".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(count)]


def generate_items(n: int, seed: int = 1) -> tuple[list[dict[str, Any]], MemoryUserState]:
    """``n`` deterministic synthetic briefs (three sentences, ~32 words, as long as the
    seed briefs) and a user state tagging 10% of them and marking 30% read."""
    rng = random.Random(seed)
    rare = _rare_words(rng, 20_000)
    cum = list(itertools.accumulate(1 / (i + 1) for i in range(len(rare))))  # Zipf-ish tail

    def sentence() -> str:
        who = rng.choice(PEOPLE + ORGS + ["The " + rng.choice(ADJS) + " government"])
        parts = [who, rng.choice(VERBS)]
        for _ in range(rng.randint(4, 8)):
            pick = rng.random()
            if pick < 0.35:
                parts.append(rng.choice(FILLER))
            elif pick < 0.65:
                parts.append(rng.choice(NOUNS))
            elif pick < 0.75:
                parts.append(rng.choice(ADJS))
            elif pick < 0.85:
                parts.append(rng.choice(PLACES))
            else:
                parts.extend(rng.choices(rare, cum_weights=cum, k=1))
        if rng.random() < 0.3:
            parts += ["in", rng.choice(PLACES)]
        if rng.random() < 0.25:
            parts += ["on", rng.choice(["Ukraine", "Ukraine's", "the war in Ukraine"])]
        return " ".join(parts) + "."

    items: list[dict[str, Any]] = []
    tags: dict[str, list[str]] = {}
    read: list[str] = []
    for position in range(n):
        body = f"{sentence()} {sentence()} {sentence()} #{position}"  # unique text and id
        iid = item_id(body)
        day = 1 + position * 59 // max(n, 1)
        month, mday = (1, day) if day <= 31 else (2, day - 31)
        items.append({
            "id": iid,
            "title": make_title(body),
            "body": body,
            "source": f"briefs-{position % 12:02d}.txt",
            "position": position,
            "imported_at": "2025-03-01T00:00:00Z",
            "topics": rng.sample(TOPICS, rng.randint(0, 2)),
            "people": [p for p in PEOPLE if p.split()[-1] in body],
            "places": [p for p in PLACES if p in body],
            "orgs": [o for o in ORGS if o in body.split()],
            "date": f"2025-{month:02d}-{mday:02d}T00:00:00Z",
        })
        if rng.random() < 0.10:
            tags[iid] = rng.sample(TAGS, rng.randint(1, 2))
        if rng.random() < 0.30:
            read.append(iid)
    return items, MemoryUserState(tags, read)


# (query, TinyDB regex on the body or None when the query is not a body regex)
QUERIES: list[tuple[str, str | None]] = [
    ("ukraine", r"(?i)\bukraine"),
    ('"security guarantees"', r"(?i)\bsecurity\s+guarantees\b"),
    ("zelenskyy OR tusk", r"(?i)\b(zelenskyy|tusk)\b"),
    ("nato -russian", r"(?i)^(?!.*\brussian\b).*\bnato\b"),
    ("guarant*", r"(?i)\bguarant"),
    ("drone kyiv", r"(?i)\bdrones?\b.*\bkyiv\b|\bkyiv\b.*\bdrones?\b"),
    ("tag:region is:unread", None),
    ("title:paris date:2025-02", None),
    ("", None),
    ('"the war in ukraine"', r"(?i)\bthe\s+war\s+in\s+ukraine\b"),  # stress: common words
]
COLUMNS = [
    ("query", "{}"), ("hits", "{:>7}"), ("median ms", "{:>9.2f}"), ("p95 ms", "{:>8.2f}"),
    ("first 100 ms", "{:>8.2f}"), ("count ms", "{:>8.2f}"), ("tinydb ms", "{:>9.0f}"),
    ("speed-up", "{:>8.0f}x"),
]


def timed(fn: Callable[[], Any], runs: int) -> list[float]:
    """Wall times of ``runs`` calls, in milliseconds."""
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def search_latencies(index: Any, user: Any, runs: int,
                     queries: Sequence[str] = tuple(q for q, _ in QUERIES)
                     ) -> list[tuple[str, int, float]]:
    """(query, hits, median ms) of ``index.search(query, user)`` for all hits, relevance
    order, cold posting cache: the in-process figure ``bench/run.py`` reports."""
    out = []
    for query in queries:
        def run(q: str = query) -> None:
            index.drop_caches()
            index.search(q, user)

        out.append((query, len(index.search(query, user)), statistics.median(timed(run, runs))))
    return out


def print_table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]]) -> None:
    """A plain text table; a missing or None cell prints as ``-``."""
    cells = [[name for name, _ in columns]]
    for row in rows:
        cells.append([
            "-" if row.get(name) is None else fmt.format(row[name]).strip()
            for name, fmt in columns
        ])
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    for i, r in enumerate(cells):
        print("  ".join(c.ljust(w) if j == 0 else c.rjust(w)
                        for j, (c, w) in enumerate(zip(r, widths, strict=True))))
        if i == 0:
            print("  ".join("-" * w for w in widths))


def tinydb_baseline(items: list[dict[str, Any]], folder: Path, runs: int) -> dict[str, float]:
    """Median ms of ``db.search(where('body').search(regex))`` for each regex query."""
    from tinydb import TinyDB, where

    db = TinyDB(folder / "items.json")
    db.insert_multiple(items)
    out = {}
    for query, regex in QUERIES:
        if regex is None:
            continue
        cond = where("body").search(regex)

        def run(cond: Any = cond) -> None:
            db.clear_cache()
            db.search(cond)

        out[query] = statistics.median(timed(run, runs))
    db.close()
    return out


def process_ms(path: Path, signature: str, query: str | None, runs: int = 5) -> float:
    """Median wall time of a fresh Python process that loads the index and counts
    (``query`` "": that only imports ``store.search.index``; None: that does nothing).

    Byte-code is cached (in a temp folder), as it is for an installed app.
    """
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
    if query is not None:
        code += "from store.search.index import SearchIndex\n"
    if query:
        code += (
            f"idx = SearchIndex.load({str(path)!r}, {signature!r})\n"
            f"print(idx.count({query!r}))\n"
        )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(path.parent / "pycache")

    def run() -> None:
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, env=env)

    run()  # warm the byte-code cache
    return statistics.median(timed(run, runs))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="number of items")
    parser.add_argument("--quick", action="store_true", help="2,000 items, fewer runs")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per query")
    parser.add_argument("--no-tinydb", action="store_true", help="skip the baseline")
    args = parser.parse_args(argv)
    n = 2_000 if args.quick else args.n
    runs = 5 if args.quick else args.runs

    t0 = time.perf_counter()
    items, user = generate_items(n)
    print(f"{n:,} items generated in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    index = SearchIndex.build(items)
    build_s = time.perf_counter() - t0

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cache = folder / "index.bin"
        t0 = time.perf_counter()
        index.save(cache, "bench")
        save_s = time.perf_counter() - t0
        loads = {
            verify: statistics.median(
                timed(lambda v=verify: SearchIndex.load(cache, "bench", verify=v), 5)
            )
            for verify in (True, False)
        }
        loaded = SearchIndex.load(cache, "bench")
        assert loaded is not None
        loaded.warm()  # numpy's import, once per process (the TUI does it in a worker)
        baseline = {} if args.no_tinydb else tinydb_baseline(items, folder, 1 if args.quick else 3)
        for query, _ in QUERIES:
            def run(q: str = query) -> None:
                loaded.drop_caches()
                loaded.search(q, user)

            def first(q: str = query) -> None:
                loaded.drop_caches()
                loaded.search(q, user, limit=100)

            def count(q: str = query) -> None:
                loaded.drop_caches()
                loaded.count(q, user)

            times = timed(run, runs)
            median = statistics.median(times)
            base = baseline.get(query)
            rows.append({
                "query": query or "(everything)",
                "hits": len(loaded.search(query, user)),
                "median ms": median,
                "p95 ms": statistics.quantiles(times, n=20)[-1] if len(times) > 1 else median,
                "first 100 ms": statistics.median(timed(first, runs)),
                "count ms": statistics.median(timed(count, runs)),
                "tinydb ms": base,
                "speed-up": base / median if base else None,
            })
            assert loaded.search(query, user) == index.search(query, user)
        proc = {q: process_ms(cache, "bench", q) for q in ("", None, "ukraine")}
        size_mb = cache.stat().st_size / 1e6

    print()
    print("median/p95: search() for all hits, relevance order, cold posting cache;")
    print("first 100: the same with limit=100; count: count() (no ordering)")
    print_table(rows, COLUMNS)
    print()
    print(f"index build {build_s:.1f} s; save {save_s:.2f} s; cache {size_mb:.1f} MB")
    print(f"load (header + lazy postings) {loads[False]:.1f} ms; "
          f"load with CRC of every section {loads[True]:.1f} ms")
    print(f"fresh process: python start + import + load + count('ukraine') {proc['ukraine']:.0f}"
          f" ms (python start alone {proc[None]:.0f} ms; start + import store.search.index"
          f" {proc['']:.0f} ms)")


if __name__ == "__main__":
    main()
