"""Precision, recall and F1 of ``store.derive.entities.extract`` per group, and its throughput.

    python bench/entities_eval.py            # fixture scores + 100,000 synthetic briefs
    python bench/entities_eval.py --n 10000  # fewer synthetic briefs
    python bench/entities_eval.py --errors   # also list each item's misses and extras

The fixture (tests/fixtures/entities_gold.jsonl) is split so we do not fool ourselves:
even lines tune the rules, odd lines are held out, and lines marked "split": "blind" were
written before the extractor existed and are never tuned on. Scores are micro-averaged
over items, comparing each item's set of canonical names after corpus-level person
resolution (``resolve_people`` over every item in the fixture).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import unicodedata
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from store.derive.entities.extract import GROUPS, extract, group_names, resolve_people  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "entities_gold.jsonl"
Counts = dict[str, list[int]]  # group -> [true positives, predicted, gold]


def load(path: Path = FIXTURE) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def split_of(index: int, item: dict) -> str:
    if item.get("split") == "blind":
        return "blind"
    return "tune" if index % 2 == 0 else "held-out"


def norm(name: str) -> str:
    """Compare names without case, accents, periods or extra spaces."""
    text = unicodedata.normalize("NFKD", name.casefold().replace(".", " "))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


def predict(items: list[dict]) -> list[dict[str, list[str]]]:
    """Extract every item, then resolve people across the whole fixture."""
    grouped = [group_names(extract(it["text"])) for it in items]
    people = resolve_people([g["people"] for g in grouped])
    for g, p in zip(grouped, people, strict=True):
        g["people"] = p
    return grouped


def score(items: list[dict], preds: list[dict[str, list[str]]]) -> Counts:
    counts: Counts = {g: [0, 0, 0] for g in GROUPS}
    for it, pred in zip(items, preds, strict=True):
        for g in GROUPS:
            gold = {norm(x) for x in it[g]}
            got = {norm(x) for x in pred[g]}
            counts[g][0] += len(gold & got)
            counts[g][1] += len(got)
            counts[g][2] += len(gold)
    return counts


def prf(tp: int, pred: int, gold: int) -> tuple[float, float, float]:
    p = tp / pred if pred else 1.0
    r = tp / gold if gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def evaluate(items: list[dict] | None = None) -> dict[str, Counts]:
    """Counts per split ("tune", "held-out", "blind", "all") and group."""
    items = load() if items is None else items
    preds = predict(items)
    out: dict[str, Counts] = {}
    for name in ("tune", "held-out", "blind", "all"):
        idx = [i for i, it in enumerate(items) if name == "all" or split_of(i, it) == name]
        if idx:
            out[name] = score([items[i] for i in idx], [preds[i] for i in idx])
    return out


def synthetic(n: int, items: list[dict], seed: int = 7) -> list[str]:
    """``n`` briefs made by recombining fixture sentences and shuffling names."""
    rng = random.Random(seed)
    sentences = [s.strip() + "." for it in items for s in it["text"].split(". ") if s.strip()]
    return [" ".join(rng.sample(sentences, rng.randint(2, 3))) for _ in range(n)]


def throughput(n: int, items: list[dict]) -> tuple[float, int]:
    briefs = synthetic(n, items)
    start = time.perf_counter()
    found = sum(len(extract(b)) for b in briefs)
    return time.perf_counter() - start, found


def errors(items: list[dict], only: str = "") -> None:
    preds = predict(items)
    for i, (it, pred) in enumerate(zip(items, preds, strict=True)):
        if only and split_of(i, it) != only:
            continue
        lines = []
        for g in GROUPS:
            gold = {norm(x): x for x in it[g]}
            got = {norm(x): x for x in pred[g]}
            miss = [gold[k] for k in gold if k not in got]
            extra = [got[k] for k in got if k not in gold]
            if miss or extra:
                lines.append(f"   {g:7} missed {miss}  extra {extra}")
        if lines:
            print(f"[{i} {split_of(i, it)}] {it['text'][:90]}")
            print("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000, help="synthetic briefs for throughput")
    ap.add_argument("--errors", action="store_true", help="list misses and extras per item")
    ap.add_argument("--split", default="", help="with --errors: only this split")
    args = ap.parse_args(argv)
    items = load()
    if args.errors:
        errors(items, args.split)
    results = evaluate(items)
    sizes = {name: sum(1 for i, it in enumerate(items) if name == "all" or
                       split_of(i, it) == name) for name in results}
    print(f"{'split':9} {'items':>5} {'group':7} {'P':>6} {'R':>6} {'F1':>6}  tp/pred/gold")
    for name, counts in results.items():
        for g in GROUPS:
            tp, pred, gold = counts[g]
            p, r, f = prf(tp, pred, gold)
            print(f"{name:9} {sizes[name]:5} {g:7} {p:6.3f} {r:6.3f} {f:6.3f}  {tp}/{pred}/{gold}")
    if args.n > 0:
        secs, found = throughput(args.n, items)
        print(f"throughput: {args.n} briefs in {secs:.2f} s = {args.n / secs:,.0f} briefs/s "
              f"({1000 * secs / args.n:.3f} ms/brief, {found} mentions)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
