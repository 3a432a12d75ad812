"""Crash safety: SIGKILL a writer at random moments, 200 times, and lose nothing.

A forked child loops over a random mix of tag operations, tag renames and imports
(journal compaction forced every few operations, so kills also land mid-compaction
and mid-backup). Before each operation it writes ``B <op>`` to a pipe, after each
fsync ``F``, and after the operation returns ``D``; the parent kills it right after
a report chosen at random (no sleeping: the moment is a point of the child's own
progress). After each kill the parent reopens the store and checks:

* it loads, with no damaged journal line and no operation missing;
* every operation reported done is there, and the one in flight is either wholly
  there or not at all: the visible tags equal the model of the done operations,
  or of those plus the one in flight;
* each import batch (unique marker texts) is all present or all absent, with its
  tags exactly when its items are present; a reported rename left no item with
  the old name.

``NEWSDESK_SOAK=1`` runs 2,000 rounds instead of 200 (minutes, not for CI).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import select
import signal
import time
from pathlib import Path

import pytest

from store.desk import Store, default_rules
from store.disk.atomic import temp_files
from store.doctor import check_store
from store.state import userstate as state_module
from store.state.journal import read_journal
from store.state.tagnames import is_under
from tests.waiting import read_lines, report_each_fsync

pytestmark = pytest.mark.slow  # 200 forks and kills: about ten seconds

ROUNDS = 2000 if os.environ.get("NEWSDESK_SOAK") else 200
KILL_AFTER = 40
"""At most this many reports (B, F, D lines) after "ready" before the kill."""
POOL = ["a", "b", "c", "d/e", "d/f", "h/e", "x"]
TOPS = ["a", "b", "c", "d", "h", "x"]

Model = dict[str, set[str]]


def _marker(batch: str) -> str:
    return f"Marker {batch} "


RULES = default_rules()
"""Loaded once: every child and every check opens the store with them."""


def _worker(store_dir: str, batches: str, round_: int, report_fd: int) -> None:
    state_module.COMPACT_BYTES = 2500  # compact every ten or so operations
    store = Store.open(store_dir, rules=RULES)
    report_each_fsync(report_fd)  # "F": a file made durable, a point to kill at
    os.write(report_fd, b"R\n")  # the count starts now, not while a busy CI forks
    rng = random.Random(round_ * 7919)
    n = 0
    while True:
        n += 1
        roll = rng.random()
        if roll < 0.55:
            name = rng.choice(POOL)
            ids = rng.sample(store.ids(), rng.randint(1, 4))
            op = {"op": "tag", "ids": ids, "name": name, "add": rng.random() < 0.7}
        elif roll < 0.75:
            old, new = rng.sample(TOPS, 2)
            op = {"op": "rename", "old": old, "new": new}
        else:
            batch = f"r{round_}-{n}"
            count = rng.randint(1, 4)
            tags = ["inbox"] if rng.random() < 0.5 else []
            path = Path(batches) / f"{batch}.jsonl"
            path.write_text("".join(
                json.dumps({"body": f"{_marker(batch)}item {i}: ministers met in Riga.",
                            "tags": tags}) + "\n" for i in range(count)))
            op = {"op": "import", "batch": batch, "count": count, "tags": tags,
                  "path": str(path)}
        os.write(report_fd, b"B " + json.dumps(op).encode() + b"\n")
        if op["op"] == "tag":
            if op["add"]:
                store.state.tag(op["ids"], add=[op["name"]])
            else:
                store.state.tag(op["ids"], remove=[op["name"]])
        elif op["op"] == "rename":
            store.state.rename_tag(op["old"], op["new"])
        else:
            report = store.import_files([op["path"]])
            assert report.added == op["count"], report.summary()
        os.write(report_fd, b"D\n")


def _wait_ready(fd: int) -> bytes:
    """Read the child's reports up to its "ready" line (what came after is kept)."""
    data = b""
    deadline = time.monotonic() + 30
    while b"R\n" not in data:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(fd, 65536) if ready else b""
        assert chunk, "the writer never became ready"
        data += chunk
    return data


def _batch_ids(store: Store, batch: str) -> list[str]:
    marker = _marker(batch)
    return [d["id"] for d in store.items() if d["body"].startswith(marker)]


def _apply(model: Model, op: dict, store: Store) -> Model:
    out = {i: set(t) for i, t in model.items()}
    if op["op"] == "tag":
        for item_id in op["ids"]:
            tags = out.setdefault(item_id, set())
            (tags.add if op["add"] else tags.discard)(op["name"])
    elif op["op"] == "rename":
        old, new = op["old"], op["new"]
        for item_id, tags in out.items():
            out[item_id] = {new + t[len(old):] if is_under(t, old) else t for t in tags}
    else:
        for item_id in _batch_ids(store, op["batch"]):
            out.setdefault(item_id, set()).update(op["tags"])
    return {i: t for i, t in out.items() if t}


def _visible(store: Store) -> Model:
    return {i: set(tags) for i in store.ids() if (tags := store.state.tags_of(i))}


def _compaction_traces(root: Path) -> bool:
    """Signs that a kill landed inside a compaction (or a snapshot backup)."""
    names = [p.name for p in temp_files(root) + temp_files(root / "backups")]
    if any(n.startswith((".state.", ".journal.")) for n in names):
        return True
    state = root / "state.json"
    if not state.exists():
        return False
    seq = json.loads(state.read_bytes())["_meta"]["1"]["seq"]
    return any(r["seq"] <= seq for r in read_journal(root / "journal.jsonl").records)


def test_200_sigkills_during_tags_renames_and_imports_lose_nothing(tmp_path: Path) -> None:
    root = tmp_path / "store"
    batches = tmp_path / "batches"
    batches.mkdir()
    Store.open(root, rules=RULES)  # seeded: also loads the gazetteers the children share
    ctx = multiprocessing.get_context("fork")
    rng = random.Random(11)
    model: Model = {}
    done_total = in_flight = mid_compaction = 0
    imports_seen = {"present": 0, "absent": 0}
    for round_ in range(ROUNDS):
        read_fd, write_fd = os.pipe()
        proc = ctx.Process(target=_worker, args=(str(root), str(batches), round_, write_fd))
        proc.start()
        os.close(write_fd)
        early = _wait_ready(read_fd)
        # Kill right after the child's k-th report since it became ready: an operation
        # begun (B) or done (D), or a file of it made durable (F), mid-compaction too.
        early = read_lines(read_fd, 1 + rng.randint(1, KILL_AFTER), data=early)
        os.kill(proc.pid, signal.SIGKILL)
        proc.join()
        with os.fdopen(read_fd, "rb") as fh:
            lines = (early + fh.read()).decode().splitlines()
        done: list[dict] = []
        pending: dict | None = None
        for line in lines:
            if line.startswith("B "):
                pending = json.loads(line[2:])
            elif line == "D" and pending is not None:
                done.append(pending)
                pending = None
        mid_compaction += _compaction_traces(root)

        store = Store.open(root, rules=RULES)  # always loads
        where = f"round {round_} ({len(done)} done, in flight: {pending})"
        assert store.user.bad_lines == 0 and not store.problems(), where
        for op in done + ([pending] if pending else []):
            if op["op"] == "import":
                present = _batch_ids(store, op["batch"])
                assert len(present) in (0, op["count"]), f"{where}: half of {op['batch']}"
                if op is not pending:
                    assert len(present) == op["count"], f"{where}: lost {op['batch']}"
        for op in done:
            model = _apply(model, op, store)
        actual = _visible(store)
        if pending is not None and pending["op"] == "import":
            # Its items decide: present, then with their tags; absent, then no tags.
            model = _apply(model, pending, store)
        elif actual != model and pending is not None:
            model = _apply(model, pending, store)
        assert actual == model, where
        if done and done[-1]["op"] == "rename" and pending is None:
            old = done[-1]["old"]
            assert not any(is_under(t, old) for tags in actual.values() for t in tags), where
        if pending is not None:
            in_flight += 1
            if pending["op"] == "import":
                present = bool(_batch_ids(store, pending["batch"]))
                imports_seen["present" if present else "absent"] += 1
        done_total += len(done)

    print("done", done_total, "in flight", in_flight, "mid-compaction", mid_compaction,
          "imports", imports_seen)
    # The harness must really have exercised what it claims to.
    assert done_total > ROUNDS, "the writer must get real work done between kills"
    assert in_flight > ROUNDS // 2, "most kills should land inside an operation"
    assert mid_compaction > 0, "some kills should land inside a compaction"
    assert imports_seen["present"] + imports_seen["absent"] > 0
    # After all that, the store is healthy and its backups load.
    store = Store.open(root, rules=RULES)
    store.user.compact()
    report = check_store(root)
    assert report.ok, report.render()
    assert not temp_files(root) and not temp_files(root / "backups")
    backups = sorted((root / "backups").glob("state.*.json"))
    assert 1 <= len(backups) <= 5
