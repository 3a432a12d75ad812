"""Real newswire through newsdesk: import time, entity precision, tree width, subjects.

    python bench/newswire.py                      # the AG News sample, in two halves
    python bench/newswire.py --scale 13           # also time ~7,600 items (the sample x13)
    python bench/newswire.py --csv FILE           # another headerless class,title,text file

Does what the acceptance check does: ``init --empty``, then
``import --no-header --map title=2 --map text=3`` of each half, timed as the command runs
(start-up included), then ``tree --json`` and ``list --json``. Entity precision is judged
against the hand-checked names in tests/fixtures/newswire_judged.json (newsdesk never reads
it); the class column is used only to score subject purity.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT.parent / "shared" / "corpora" / "agnews-sample.csv"
JUDGED = ROOT / "tests" / "fixtures" / "newswire_judged.json"
_REMNANT = re.compile(r"#\d{2,5};|&[a-z]{2,6};|\b(?:quot|amp|lt|gt);|\\|</?[a-zA-Z][^>]*>")


def cli(store: Path, *args: str) -> tuple[float, str]:
    code = "import sys; from tui.cli import main; sys.exit(main(sys.argv[1:]))"
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, "--store", str(store), *args], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return time.perf_counter() - start, out.stdout


def rows_of(path: Path) -> list[list[str]]:
    return [r for r in csv.reader(io.StringIO(path.read_text(encoding="utf-8"))) if r]


def write(rows: list[list[str]], path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, quoting=csv.QUOTE_ALL).writerows(rows)
    return path


def widest(node: dict) -> int:
    return max([len(node["children"])] + [widest(c) for c in node["children"]])


def precision(group: dict, verdicts: dict) -> tuple[float, int, list[str]]:
    names = [c["name"] for c in group["children"] if c["name"] != "Others"][:40]
    right, wrong = set(verdicts["right"]), set(verdicts["wrong"])
    judged = [n for n in names if n in right or n in wrong]
    ok = sum(n in right for n in judged)
    return (ok / len(judged) if judged else 0.0), len(names) - len(judged), \
        [n for n in names if n in wrong]


def purity(items: list[dict], section: dict[str, str], level: int) -> float:
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    for it in items:
        if it["subjects"] and it["title"] in section:
            key = "/".join(it["subjects"][0].split("/")[: level + 1])
            groups[key][section[it["title"]]] += 1
    total = sum(sum(c.values()) for c in groups.values())
    return sum(c.most_common(1)[0][1] for c in groups.values()) / max(total, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv", type=Path, default=SAMPLE)
    parser.add_argument("--scale", type=int, default=0,
                        help="also time one import of the file repeated N times (varied)")
    args = parser.parse_args()
    rows = rows_of(args.csv)
    section = {r[1]: r[0] for r in rows}
    judged = json.loads(JUDGED.read_text(encoding="utf-8"))
    mapping = ["--no-header", "--map", "title=2", "--map", "text=3"]
    out: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        half = len(rows) // 2
        first = write(rows[:half], tmpdir / "first.csv")
        second = write(rows[half:], tmpdir / "second.csv")
        store = tmpdir / "store"
        cli(store, "init", "--empty")
        t1, summary1 = cli(store, "import", *mapping, str(first))
        _, listed = cli(store, "list", "--json")
        before = {d["id"]: d["subjects"] for d in map(json.loads, listed.splitlines())}
        t2, summary2 = cli(store, "import", *mapping, str(second))
        _, listed = cli(store, "list", "--json")
        items = [json.loads(line) for line in listed.splitlines()]
        _, tree_text = cli(store, "tree", "--json")
        tree = {g["name"]: g for g in json.loads(tree_text)}
        kept = sum(1 for d in items if d["id"] in before and d["subjects"] == before[d["id"]])
        out += [("import, first half", f"{t1:.2f} s ({summary1.strip()})"),
                ("import, second half", f"{t2:.2f} s ({summary2.strip()})")]
        if args.scale:
            big = [[r[0], f"{r[1]} {n}", f"{r[2]} Part {n}."] for n in range(args.scale)
                   for r in rows]
            big_store = tmpdir / "big"
            cli(big_store, "init", "--empty")
            tb, summary = cli(big_store, "import", *mapping, str(write(big, tmpdir / "big.csv")))
            out.append((f"import, {len(big):,} rows at once", f"{tb:.2f} s ({summary.strip()})"))
    for group, key in (("People", "people"), ("Organisations", "orgs")):
        p, unjudged, wrong = precision(tree[group], judged[key])
        out.append((f"{group} precision, top 40", f"{p:.2f} ({unjudged} unjudged; wrong: "
                                                 f"{', '.join(wrong) or 'none'})"))
    places = [c["name"] for c in tree["Places"]["children"] if c["name"] != "Others"][:40]
    out.append(("Places, top 40", ", ".join(places)))
    out.append(("max children of any node", str(max(widest(g) for g in tree.values()))))
    subjects = tree.get("Subjects", {"children": []})
    leaves = [f"{t['name']}/{leaf['name']}" for t in subjects["children"]
              for leaf in t["children"]]
    out += [("subjects: top / leaves", f"{len(subjects['children'])} / {len(leaves)}"),
            ("longest subject name", str(max((len(n) for p in leaves for n in p.split("/")),
                                             default=0))),
            ("subject coverage", f"{sum(1 for d in items if d['subjects']) / len(items):.2f}"),
            ("leaf purity / top purity", f"{purity(items, section, 1):.2f} / "
                                         f"{purity(items, section, 0):.2f}"),
            ("stability (first half kept)", f"{kept / max(len(before), 1):.2f}"),
            ("items with remnants", f"{sum(1 for d in items if _REMNANT.search(d['title'] + ' ' + d['body'])) / len(items):.3f}")]  # noqa: E501
    width = max(len(k) for k, _ in out)
    for k, v in out:
        print(f"{k:<{width}}  {v}")
    print("\ntop subjects:", "; ".join(t["name"] for t in subjects["children"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
