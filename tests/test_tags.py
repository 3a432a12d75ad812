"""Tagging in the store: names, hierarchy, rename, undo, read state, and sharing."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from store.desk import Store
from store.state import userstate as state_module
from store.state.journal import read_journal
from store.state.tagnames import TagNameError, clean_tag, complete_tag, parse_tag_edit
from store.tree import build_tree, select
from tests.conftest import REPO
from tests.waiting import read_lines, report_each_fsync


@pytest.fixture
def store(store_dir: Path) -> Store:
    return Store.open(store_dir)


def tree_counts(store: Store) -> dict[str, int]:
    tags = next(n for n in build_tree(store) if n.name == "Tags")
    out: dict[str, int] = {"Tags": tags.count}

    def walk(node) -> None:
        out[node.key[1]] = node.count
        for child in node.children:
            walk(child)

    for node in tags.children:
        walk(node)
    return out


@pytest.mark.parametrize(
    ("raw", "reason"),
    [("", "empty"), ("a,b", "commas"), ("x" * 65, "longer than 64"), ("bad\x1bname", "control"),
     ("-x", "starts with"), ("a//b", "empty"), ("tab\there", "control")],
)
def test_refused_names_say_why(raw: str, reason: str) -> None:
    with pytest.raises(TagNameError, match=reason):
        clean_tag(raw)


def test_names_are_trimmed_per_level() -> None:
    assert clean_tag("  region / baltics ") == "region/baltics"
    assert parse_tag_edit("a, -b ,, +c") == (["a", "c"], ["b"])


def test_tags_are_unique_ignoring_case_first_spelling_wins(store: Store) -> None:
    ids = store.ids()
    store.state.tag(ids[:1], add=["Follow-Up"])
    assert store.state.tag(ids[:1], add=["follow-up"]) is None  # nothing changed
    store.state.tag(ids[1:2], add=["FOLLOW-UP"])
    assert store.state.tags_of(ids[1]) == ["Follow-Up"]
    assert store.state.tag_counts() == {"Follow-Up": 2}


def test_hierarchy_counts_parent_once_per_item(store: Store) -> None:
    ids = store.ids()
    store.state.tag(ids[:3], add=["region/europe"])
    store.state.tag(ids[2:5], add=["region/baltics"])
    store.state.tag(ids[9:10], add=["verify"])
    counts = tree_counts(store)
    assert counts["region"] == 5  # items 0-4, item 2 counted once
    assert counts["region/europe"] == 3 and counts["region/baltics"] == 3
    assert counts["Tags"] == 6
    assert select(("tag", "region"), store) == ids[:5]
    assert len(select(("untagged",), store)) == 24


def test_rename_merges_and_moves_children(store: Store) -> None:
    ids = store.ids()
    store.state.tag(ids[:2], add=["region/europe"])
    store.state.tag(ids[1:3], add=["area/europe"])
    store.state.rename_tag("region", "area")
    assert store.state.tag_counts() == {"area/europe": 3}
    assert store.state.tags_of(ids[1]) == ["area/europe"]
    store.state.undo()
    assert store.state.tag_counts() == {"region/europe": 2, "area/europe": 2}


def test_delete_removes_tag_and_children_and_undo_restores(store: Store) -> None:
    ids = store.ids()
    store.state.tag(ids[:4], add=["region/europe", "keep"])
    store.state.tag(ids[:1], add=["region"])
    store.state.delete_tag("region")
    assert store.state.tag_counts() == {"keep": 4}
    store.state.undo()
    assert store.state.tag_counts() == {"region/europe": 4, "keep": 4, "region": 1}


def test_undo_redo_many_levels_survive_restart(store: Store, store_dir: Path) -> None:
    ids = store.ids()
    for n in range(12):
        store.state.tag([ids[n]], add=[f"t{n}"])
    reopened = Store.open(store_dir)
    for n in reversed(range(12)):
        assert reopened.state.undo() is not None
        assert reopened.state.tags_of(ids[n]) == []
    assert reopened.state.undo() is None
    again = Store.open(store_dir)
    for _ in range(5):
        assert again.state.redo() is not None
    assert [again.state.tags_of(ids[n]) for n in range(6)] == [
        ["t0"], ["t1"], ["t2"], ["t3"], ["t4"], []]
    again.state.tag([ids[20]], add=["new"])  # a new edit clears what could be redone
    assert again.state.redo() is None


def test_history_survives_compaction(store: Store, store_dir: Path) -> None:
    ids = store.ids()
    store.state.tag(ids[:2], add=["a"])
    store.state.tag(ids[:2], add=["b"])
    store.user.compact()
    assert read_journal(store_dir / "journal.jsonl").records == []
    reopened = Store.open(store_dir)
    assert reopened.state.tags_of(ids[0]) == ["a", "b"]
    reopened.state.undo()
    assert reopened.state.tags_of(ids[0]) == ["a"]


def test_backups_keep_the_last_five_snapshots(store: Store, store_dir: Path) -> None:
    ids = store.ids()
    for n in range(8):
        store.state.tag([ids[n]], add=["x"])
        store.user.compact()
    backups = sorted((store_dir / "backups").glob("state.*.json"))
    assert len(backups) == 5
    # The newest backup is a copy of the current snapshot (so a damaged state.json
    # loses nothing), never a hard link that an in-place rewrite would damage too.
    newest = json.loads(backups[-1].read_text())
    assert newest["_meta"]["1"]["seq"] == 8
    assert backups[-1].read_bytes() == (store_dir / "state.json").read_bytes()
    assert backups[-1].stat().st_ino != (store_dir / "state.json").stat().st_ino


def test_tagging_never_rewrites_the_imported_text(store: Store, store_dir: Path) -> None:
    before = (store_dir / "items.json").stat()
    store.state.tag(store.ids()[:5], add=["x"])
    store.state.set_read(store.ids()[:5])
    after = (store_dir / "items.json").stat()
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)


def test_read_state(store: Store, store_dir: Path) -> None:
    ids = store.ids()
    assert not store.state.is_read(ids[0])
    store.state.set_read(ids[:3])
    store.state.set_read(ids[1:2], False)
    assert [store.state.is_read(i) for i in ids[:3]] == [True, False, True]
    assert Store.open(store_dir).state.is_read(ids[2])
    unread = next(n for n in build_tree(store) if n.name == "Unread")
    assert unread.count == 28


def test_saved_searches_persist(store: Store, store_dir: Path) -> None:
    store.state.save_search("nato news", "nato")
    store.state.save_search("NATO", "nato", replaces="nato news")
    store.state.save_search("drones", "drone")
    store.state.delete_search("drones")
    assert Store.open(store_dir).state.saved_searches() == {"NATO": "nato"}


def test_a_torn_journal_tail_is_ignored_and_cut(store: Store, store_dir: Path) -> None:
    ids = store.ids()
    store.state.tag(ids[:1], add=["whole"])
    with open(store_dir / "journal.jsonl", "ab") as fh:
        fh.write(b'{"seq": 2, "kind": "tags", "add": {"torn": ["')
    reopened = Store.open(store_dir)
    assert reopened.state.tags_of(ids[0]) == ["whole"]
    reopened.state.tag(ids[:1], add=["next"])
    assert Store.open(store_dir).state.tags_of(ids[0]) == ["whole", "next"]


def test_another_session_sees_my_tags_on_refresh(store: Store, store_dir: Path) -> None:
    other = Store.open(store_dir)
    ids = store.ids()
    store.state.tag(ids[:2], add=["shared"])
    assert other.state.tags_of(ids[0]) == []
    assert other.refresh() is True
    assert other.state.tags_of(ids[0]) == ["shared"]
    assert other.refresh() is False


def test_completion_is_fuzzy() -> None:
    names = ["region/baltics", "region/europe", "verify", "follow-up", "urgent"]
    assert complete_tag("reg", names)[:2] == ["region/europe", "region/baltics"]
    assert complete_tag("rb", names)[0] == "region/baltics"
    assert complete_tag("fu", names) == ["follow-up"]
    assert complete_tag("zz", names) == []


RANDOM_WRITER = """
import json, random, sys
from store.desk import Store
store = Store.open(sys.argv[1])
rng = random.Random(int(sys.argv[2]))
ids = store.ids()
done = []
for n in range(int(sys.argv[3])):
    targets = rng.sample(ids, rng.randint(1, 3))
    tag = rng.choice(["a", "b", "c", "d/e", "d/f"])
    if rng.random() < 0.6:
        record = store.state.tag(targets, add=[tag])
    else:
        record = store.state.tag(targets, remove=[tag])
    if record is not None:
        done.append(record)
print(json.dumps(done))
"""


@pytest.mark.slow
def test_four_processes_times_250_ops_lose_nothing(store: Store, store_dir: Path) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", RANDOM_WRITER, str(store_dir), str(w), "250"],
                              cwd=REPO, stdout=subprocess.PIPE, text=True) for w in range(4)]
    reported = []
    for proc in procs:
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0
        reported.extend(json.loads(out))
    journal = read_journal(store_dir / "journal.jsonl").records
    # Every operation a process was told is done is in the log, exactly as reported,
    # and the log is one gapless sequence: nothing was overwritten or interleaved.
    by_seq = {r["seq"]: r for r in journal}
    assert sorted(by_seq) == list(range(1, len(journal) + 1))
    assert len(reported) == len(journal)
    for record in reported:
        assert by_seq[record["seq"]] == record
    # Replaying the reported operations alone gives exactly the state on disk.
    replay = state_module.UserState()
    for record in sorted(reported, key=lambda r: r["seq"]):
        replay.apply(record)
    assert Store.open(store_dir).user.state.tags == replay.tags


def _crash_writer(store_dir: str, tag_prefix: str, report_fd: int) -> None:
    state_module.COMPACT_BYTES = 3000  # compact often, so kills land mid-compaction too
    store = Store.open(store_dir)
    target = store.ids()[0]
    report_each_fsync(report_fd)  # "F": a file made durable, a point to kill at
    n = 0
    while True:
        n += 1
        store.state.tag([target], add=[f"{tag_prefix}{n}"])
        os.write(report_fd, f"{n}\n".encode())


@pytest.mark.slow
def test_sigkill_at_random_moments_never_loses_a_reported_tag(store_dir: Path) -> None:
    Store.open(store_dir)
    ctx = multiprocessing.get_context("fork")
    rng = random.Random(7)
    total_reported = 0
    for round_ in range(100):
        read_fd, write_fd = os.pipe()
        proc = ctx.Process(target=_crash_writer, args=(str(store_dir), f"r{round_}-", write_fd))
        proc.start()
        os.close(write_fd)
        # Kill right after the writer's k-th report: a tag done (its number) or a file
        # of one made durable (F: the journal's append, or a compaction's step).
        early = read_lines(read_fd, rng.randint(1, 30))
        os.kill(proc.pid, signal.SIGKILL)
        proc.join()
        with os.fdopen(read_fd, "rb") as fh:
            lines = (early + fh.read()).decode().split("\n")
        reported = [int(line) for line in lines if line.strip().isdigit()]
        store = Store.open(store_dir)  # always loads
        tags = set(store.state.tags_of(store.ids()[0]))
        total_reported += len(reported)
        missing = [n for n in reported if f"r{round_}-{n}" not in tags]
        assert not missing, f"round {round_}: lost {missing[:5]}"
        assert store.user.bad_lines == 0
    print("TOTAL", total_reported)
    # Each round waits for up to 30 reports, about a third of them tags done.
    assert total_reported > 200, "the writer must get real work done between kills"
