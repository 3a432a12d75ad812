"""Subject purity over many random splits, in-process (bench/newswire.py runs one split).

    python bench/subjects_eval.py                 # the AG News sample, 8 random splits
    python bench/subjects_eval.py --seeds 20 --per-leaf 10 20

The sample is imported once through the store (entities derived and resolved as an import
does), then for each seed the items are shuffled and split in two: subjects are discovered
on the first half and ``assign_many`` files both halves, as two imports do. Purity is
scored against the class column (used for nothing else), over all items with a subject.
"--per-leaf" also tries other ITEMS_PER_LEAF values: the judged set has ~60 items per leaf
where the sample's halves have ~10, so a change should hold across both regimes.
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT.parent / "shared" / "corpora" / "agnews-sample.csv"


def load(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """The file's items as an import makes them, and each one's class."""
    from store import ImportOptions, parse_mappings
    from store.desk import Store

    rows = [r for r in csv.reader(io.StringIO(path.read_text(encoding="utf-8"))) if r]
    section = {r[1]: r[0] for r in rows}
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "s", seed=False)
        options = ImportOptions(mapping=parse_mappings(["title=2", "text=3"]), no_header=True)
        store.import_files([path], options)
        items = [dict(d) for d in store.items()]
    kept = [d for d in items if d.get("title") in section]
    return kept, [section[d["title"]] for d in kept]


def purity(subjects: Sequence[list[str]], classes: Sequence[str], level: int) -> float:
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    for subs, cls in zip(subjects, classes, strict=True):
        if subs:
            groups["/".join(subs[0].split("/")[: level + 1])][cls] += 1
    total = sum(sum(c.values()) for c in groups.values())
    return sum(c.most_common(1)[0][1] for c in groups.values()) / max(total, 1)


def run(items: list[dict[str, Any]], classes: list[str], seed: int,
        ordered: bool = False) -> dict[str, float]:
    """Discover on one half, assign both halves; the scores of that split."""
    import numpy as np

    from store.derive import subjects as sj

    order = np.arange(len(items)) if ordered else np.random.default_rng(seed).permutation(
        len(items))
    half = len(items) // 2
    first = [items[i] for i in order[:half]]
    second = [items[i] for i in order[half:]]
    cls = [classes[i] for i in order]
    start = time.perf_counter()
    docs = [sj.features(d) for d in first]
    model = sj.discover(first, seed=0 if ordered else seed, docs=docs)
    took = time.perf_counter() - start
    if model is None:
        return {}
    got = sj.assign_many(model, first, docs, discovering=True) + sj.assign_many(model, second)
    tops = {p.split("/")[0] for p in model.leaves}
    return {"leaf": purity(got, cls, 1), "top": purity(got, cls, 0),
            "leaf1": purity(got[:half], cls[:half], 1), "top1": purity(got[:half], cls[:half], 0),
            "leaf2": purity(got[half:], cls[half:], 1), "top2": purity(got[half:], cls[half:], 0),
            "cover": sum(1 for g in got if g) / len(got), "leaves": len(model.leaves),
            "tops": len(tops), "secs": took}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv", type=Path, default=SAMPLE)
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--per-leaf", type=int, nargs="*", default=[])
    args = parser.parse_args()
    from store.derive import subjects as sj

    items, classes = load(args.csv)
    print(f"{len(items)} items")
    keys = ("leaf", "top", "leaf1", "top1", "leaf2", "top2", "cover", "leaves", "tops", "secs")
    print(f"{'regime':<16}" + "".join(f"{k:>8}" for k in keys))
    for per_leaf in [sj.ITEMS_PER_LEAF, *args.per_leaf]:
        default = sj.ITEMS_PER_LEAF
        sj.ITEMS_PER_LEAF = per_leaf
        try:
            runs = [run(items, classes, s) for s in range(args.seeds)]
            file_order = run(items, classes, 0, ordered=True)
        finally:
            sj.ITEMS_PER_LEAF = default
        mean = {k: statistics.mean(r[k] for r in runs) for k in keys}
        low = {k: min(r[k] for r in runs) for k in keys}
        print(f"{f'per-leaf {per_leaf} mean':<16}" + "".join(f"{mean[k]:8.3f}" for k in keys))
        print(f"{f'per-leaf {per_leaf} min':<16}" + "".join(f"{low[k]:8.3f}" for k in keys))
        print(f"{f'per-leaf {per_leaf} file':<16}" + "".join(
            f"{file_order.get(k, 0):8.3f}" for k in keys))
    return 0


if __name__ == "__main__":
    sys.exit(main())
