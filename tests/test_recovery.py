"""Damaged store files: refused and never overwritten; backups; doctor and --restore."""

from __future__ import annotations

import fcntl
import json
import multiprocessing
import os
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from store.desk import ITEMS_FILE, Store
from store.doctor import check_store, restore_store
from store.errors import StoreFormatError
from tui.cli import main

TRUNCATED, GARBAGE = "truncated", "garbage"
ITEMS_SHAPES = {
    "a list": b"[1, 2]",
    "no items table": b'{"_meta": {"1": {"schema": 1}}}',
    "item without body": b'{"_meta": {"1": {"schema": 1}}, "items": {"1": {"id": "x"}}}',
    "string position": b'{"_meta": {"1": {"schema": 1}}, "items": {"1": {"id": "x", '
                       b'"body": "b", "position": "7"}}}',
    "topics not a list": b'{"_meta": {"1": {"schema": 1}}, "items": {"1": {"id": "x", '
                         b'"body": "b", "topics": "Security"}}}',
}
STATE_SHAPES = {
    "a list": b"[]",
    "no schema": b'{"tags": {}}',
    "tags not a list": b'{"_meta": {"1": {"schema": 1, "seq": 1}}, '
                       b'"tags": {"1": {"id": "x", "tags": "abc"}}}',
    "history entry without seq": b'{"_meta": {"1": {"schema": 1, "seq": 1}}, "history": '
                                 b'{"1": {"author": "me", "undo": [{"label": "x"}], "redo": []}}}',
    "spelling not a table": b'{"_meta": {"1": {"schema": 1, "seq": 1, "spelling": [1]}}}',
}


def cli(*args: str) -> int:
    return main([str(a) for a in args])


@pytest.fixture
def tagged(store_dir: Path) -> Store:
    """A store with tags in a snapshot (and so a backup) and more in the journal."""
    store = Store.open(store_dir)
    ids = store.ids()
    store.state.tag(ids[:3], add=["keep"])
    store.state.tag(ids[3:4], add=["region/baltics"])
    store.user.compact()
    store.state.tag(ids[5:6], add=["after-snapshot"])
    return store


def _damage(path: Path, how: str) -> bytes:
    if how == TRUNCATED:
        data = path.read_bytes()[: path.stat().st_size // 2]
    elif how == GARBAGE:
        data = b"\x00\xffnot json at all\x1b[2J"
    else:
        data = (ITEMS_SHAPES if path.name == ITEMS_FILE else STATE_SHAPES)[how]
    path.write_bytes(data)  # in place, as a careless tool or a bad disk would
    return data


def _listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.mark.parametrize("how", [TRUNCATED, GARBAGE, *ITEMS_SHAPES])
def test_damaged_items_file_is_refused_by_name_and_never_written(
        tagged: Store, store_dir: Path, tmp_path: Path, how: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = store_dir / ITEMS_FILE
    data = _damage(path, how)
    files = _listing(store_dir)
    with pytest.raises(StoreFormatError) as info:
        Store.open(store_dir)
    assert str(path) in str(info.value)
    src = tmp_path / "new.txt"
    src.write_text("A brief that must not land.\n")
    assert cli("--store", store_dir, "tag", tagged.ids()[0], "+more") == 1
    assert cli("--store", store_dir, "import", src) == 1
    assert cli("--store", store_dir, "list") == 1
    err = capsys.readouterr().err
    assert err.count(str(path)) >= 3 and "Traceback" not in err
    assert path.read_bytes() == data
    assert _listing(store_dir) == files  # not even a lock or temp file appeared


@pytest.mark.parametrize("how", [TRUNCATED, GARBAGE, *STATE_SHAPES])
def test_damaged_state_file_is_refused_by_name_and_never_written(
        tagged: Store, store_dir: Path, tmp_path: Path, how: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = store_dir / "state.json"
    data = _damage(path, how)
    files = _listing(store_dir)
    with pytest.raises(StoreFormatError) as info:
        Store.open(store_dir)
    assert str(path) in str(info.value) and "doctor --restore" in str(info.value)
    src = tmp_path / "new.txt"
    src.write_text("A brief that must not land.\n")
    assert cli("--store", store_dir, "tag", tagged.ids()[0], "+more") == 1
    assert cli("--store", store_dir, "import", src) == 1
    err = capsys.readouterr().err
    assert err.count(str(path)) >= 2 and "Traceback" not in err
    assert path.read_bytes() == data
    assert _listing(store_dir) == files


def test_garbage_journal_line_is_skipped_named_and_kept(
        store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Decision: a damaged line in the middle is skipped (the store stays usable), named
    as journal.jsonl:LINE by every face and by doctor, and the journal is copied into
    backups/ before a compaction folds it away. The lines after it always count."""
    store = Store.open(store_dir)
    ids = store.ids()
    for n in range(4):
        store.state.tag([ids[n]], add=[f"t{n}"])
    journal = store_dir / "journal.jsonl"
    lines = journal.read_bytes().splitlines(keepends=True)
    lines[1] = b'{"seq": 2, "kind": "tags", "add": ["not", "a", "table"]}\n'
    lines[2] = b"\x00garbage}{\n"
    journal.write_bytes(b"".join(lines))
    damaged = journal.read_bytes()

    reopened = Store.open(store_dir)
    assert [reopened.state.tags_of(i) for i in ids[:4]] == [["t0"], [], [], ["t3"]]
    problems = reopened.problems()
    assert len(problems) == 2
    assert problems[0].startswith(f"{journal}:2: skipped a damaged line")
    assert problems[1].startswith(f"{journal}:3: skipped a damaged line (not valid JSON)")

    assert cli("--store", store_dir, "list") == 0
    assert f"warning: {journal}:3" in capsys.readouterr().err
    assert cli("--store", store_dir, "doctor") == 1
    out = capsys.readouterr().out
    assert "problem  journal.jsonl:2: damaged line (its tag changes have the wrong shape)" in out
    assert "problem  journal.jsonl:3: damaged line (not valid JSON)" in out

    reopened.state.tag([ids[9]], add=["later"])  # appending after damage works
    reopened.user.compact()
    kept = list((store_dir / "backups").glob("journal.damaged-*.jsonl"))
    assert len(kept) == 1 and kept[0].read_bytes().startswith(damaged)
    final = Store.open(store_dir)
    assert final.state.tags_of(ids[3]) == ["t3"] and final.state.tags_of(ids[9]) == ["later"]
    assert not final.problems()


def test_first_compaction_of_a_journal_only_state_leaves_a_backup(store_dir: Path) -> None:
    store = Store.open(store_dir)
    store.state.tag(store.ids()[:2], add=["only-in-journal"])
    assert not (store_dir / "state.json").exists()
    store.user.compact()
    backups = sorted((store_dir / "backups").glob("state.*.json"))
    assert [b.read_bytes() for b in backups] == [(store_dir / "state.json").read_bytes()]


def test_a_snapshot_written_before_copies_were_kept_is_backed_up_first(
        store_dir: Path) -> None:
    store = Store.open(store_dir)
    ids = store.ids()
    store.state.tag(ids[:1], add=["old"])
    store.user.compact()
    for path in (store_dir / "backups").glob("state.*.json"):
        path.unlink()  # as an older newsdesk left it: a snapshot without a copy
    old = (store_dir / "state.json").read_bytes()
    store.state.tag(ids[1:2], add=["new"])
    store.user.compact()
    backups = sorted((store_dir / "backups").glob("state.*.json"))
    assert [b.name for b in backups] == ["state.000000000001.json", "state.000000000002.json"]
    assert backups[0].read_bytes() == old


def test_a_day_old_journal_is_compacted_so_backups_hold_daily_versions(
        store_dir: Path) -> None:
    store = Store.open(store_dir)
    ids = store.ids()
    store.state.tag(ids[:1], add=["monday"])
    assert not (store_dir / "state.json").exists()
    journal = store_dir / "journal.jsonl"
    record = json.loads(journal.read_bytes())
    yesterday = datetime.now(UTC) - timedelta(days=1, minutes=1)
    record["at"] = yesterday.strftime("%Y-%m-%dT%H:%M:%SZ")
    journal.write_text(json.dumps(record) + "\n")  # as if written a day ago
    again = Store.open(store_dir)
    again.state.tag(ids[1:2], add=["tuesday"])  # the first change a day later folds the journal
    assert journal.read_bytes() == b""
    assert len(list((store_dir / "backups").glob("state.*.json"))) == 1
    assert Store.open(store_dir).state.tags_of(ids[1]) == ["tuesday"]


def test_in_place_damage_of_state_json_does_not_reach_its_backup(
        tagged: Store, store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = {i: tagged.state.tags_of(i) for i in tagged.ids()}
    (store_dir / "state.json").write_bytes(b"")  # `> state.json`: same inode, emptied
    assert cli("--store", store_dir, "doctor") == 1
    out = capsys.readouterr().out
    assert "problem  state.json: the file is empty; `newsdesk doctor --restore` puts back " \
           "backups/state.000000000002.json" in out
    when = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    done = restore_store(store_dir, now=when)
    assert done[0] == "Moved the damaged state.json aside to state.json.broken-20300102T030405Z."
    assert "Restored state.json from backups/state.000000000002.json (operation 2)" in done[1]
    assert (store_dir / "state.json.broken-20300102T030405Z").read_bytes() == b""
    restored = Store.open(store_dir)
    assert {i: restored.state.tags_of(i) for i in restored.ids()} == before  # nothing lost
    assert check_store(store_dir).ok


def test_cli_restore_says_what_it_did_and_keeps_every_broken_file(
        tagged: Store, store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (store_dir / "state.json").write_text("{garbage")
    assert cli("--store", store_dir, "doctor", "--restore") == 0
    out = capsys.readouterr().out
    assert "Moved the damaged state.json aside to state.json.broken-" in out
    assert "The store is healthy." in out
    (store_dir / "state.json").write_text("{garbage again")
    assert cli("--store", store_dir, "doctor", "--restore") == 0
    broken = sorted(p.name for p in store_dir.glob("state.json.broken-*"))
    assert len(broken) == 2  # the second one did not overwrite the first
    assert cli("--store", store_dir, "doctor", "--restore") == 0
    assert "Nothing to restore" in capsys.readouterr().out


def test_deleted_state_json_is_noticed_and_restored(tagged: Store, store_dir: Path) -> None:
    ids = tagged.ids()
    (store_dir / "state.json").unlink()
    reopened = Store.open(store_dir)  # opens, but says operations are missing
    assert "operations 1–2 are in neither the snapshot nor the journal" in reopened.problems()[0]
    report = check_store(store_dir)
    assert not report.ok and "operations 1–2 are in neither" in report.render()
    restore_store(store_dir)
    again = Store.open(store_dir)
    assert again.state.tags_of(ids[0]) == ["keep"]
    assert again.state.tags_of(ids[5]) == ["after-snapshot"]
    assert not again.problems()


def test_older_backup_restores_what_it_can_and_says_what_is_lost(
        store_dir: Path) -> None:
    store = Store.open(store_dir)
    ids = store.ids()
    for n in range(3):
        store.state.tag([ids[n]], add=[f"t{n}"])
        store.user.compact()
    store.state.tag([ids[3]], add=["t3"])
    newest = sorted((store_dir / "backups").glob("state.*.json"))[-1]
    newest.write_text("damaged too")
    (store_dir / "state.json").write_text("damaged")
    done = restore_store(store_dir)
    assert "state.000000000002.json (operation 2)" in done[1]
    assert done[2] == "Operation 3 was only in the damaged file and could not be recovered."
    again = Store.open(store_dir)
    assert [again.state.tags_of(i) for i in ids[:4]] == [["t0"], ["t1"], [], ["t3"]]


def test_damaged_items_json_is_restored_from_the_previous_version(
        store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store.open(store_dir)
    src = tmp_path / "late.txt"
    src.write_text("A late brief about the harbour.\n")
    store.import_files([src])
    late = next(d["id"] for d in store.items() if d["body"].startswith("A late brief"))
    store.state.tag([late, store.ids()[0]], add=["mine"])
    (store_dir / ITEMS_FILE).write_bytes(b"\x00" * 100)
    assert cli("--store", store_dir, "doctor") == 1
    assert "puts back backups/items.prev.json" in capsys.readouterr().out
    assert cli("--store", store_dir, "doctor", "--restore") == 0
    out = capsys.readouterr().out
    assert "Moved the damaged items.json aside to items.json.broken-" in out
    assert "(30 items): the items of the latest import are not in it" in out
    assert Store.open(store_dir).state.tags_of(store.ids()[0]) == ["mine"]
    Store.open(store_dir).import_files([src])  # the late item comes back with its tag
    assert Store.open(store_dir).state.tags_of(late) == ["mine"]


def test_items_without_an_earlier_copy_are_not_restored_and_user_is_told(
        store_dir: Path) -> None:
    Store.open(store_dir)
    (store_dir / "backups" / "items.prev.json").unlink()
    (store_dir / ITEMS_FILE).write_text("[]")
    done = restore_store(store_dir)
    assert "import your files again" in done[0] and "It was not changed." in done[0]
    assert (store_dir / ITEMS_FILE).read_text() == "[]"


def test_doctor_on_a_healthy_store_and_on_no_store(
        tagged: Store, store_dir: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("--store", store_dir, "doctor") == 0
    out = capsys.readouterr().out
    for line in ("ok       items.json: 30 items",
                 "ok       state.json: snapshot of operation 2, 4 tagged items",
                 "ok       journal.jsonl: 1 operation since the snapshot",
                 "ok       backups: 1 state snapshot, the newest of operation 2",
                 "ok       lock: free",
                 "ok       permissions: yours to write, not writable by others",
                 "The store is healthy."):
        assert line in out
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli("--store", empty, "doctor") == 1
    assert "not a newsdesk store" in capsys.readouterr().out
    assert os.listdir(empty) == []


def test_doctor_notes_leftovers_and_flags_unsafe_permissions(
        tagged: Store, store_dir: Path) -> None:
    (store_dir / ".items.json.0123456789ab.tmp").write_text("half")
    (store_dir / "index.bin").write_bytes(b"not an index")
    report = check_store(store_dir)
    assert report.ok  # leftovers are notes, not problems
    text = report.render()
    assert "note     temp files: .items.json.0123456789ab.tmp: left by a save" in text
    assert "note     index.bin: the search cache is out of date or damaged" in text
    os.chmod(store_dir / "state.json", 0o666)
    report = check_store(store_dir)
    assert not report.ok
    assert "anyone on this machine can change state.json (run chmod o-w" in report.render()
    tagged.user.compact()  # a writer under the lock clears the leftovers
    assert "temp files" not in check_store(store_dir).render()


def _hold_lock(path: str, ready) -> None:  # noqa: ANN001 - a multiprocessing Event
    fd = os.open(path, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    ready.set()
    signal.pause()


def test_doctor_sees_a_held_lock_without_waiting(tagged: Store, store_dir: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    ready = ctx.Event()
    proc = ctx.Process(target=_hold_lock, args=(str(store_dir / "lock"), ready))
    proc.start()
    try:
        assert ready.wait(5)
        text = check_store(store_dir).render()
        assert "note     lock: held right now by another newsdesk process" in text
    finally:
        proc.kill()
        proc.join()
    assert "ok       lock: free" in check_store(store_dir).render()


def test_backups_written_as_copies_never_hard_links(tagged: Store, store_dir: Path) -> None:
    backup = sorted((store_dir / "backups").glob("state.*.json"))[-1]
    assert backup.stat().st_nlink == 1 and (store_dir / "state.json").stat().st_nlink == 1
    assert json.loads(backup.read_bytes())["_meta"]["1"]["seq"] == 2


async def test_the_browser_warns_at_start_about_damage_it_worked_around(
        store_dir: Path) -> None:
    from tui.app import make_app
    from tui.config import Settings

    store = Store.open(store_dir)
    store.state.tag(store.ids()[:1], add=["a"])
    store.state.tag(store.ids()[1:2], add=["b"])
    journal = store_dir / "journal.jsonl"
    journal.write_bytes(b"garbage\n" + journal.read_bytes().split(b"\n", 1)[1])
    app = make_app(Store.open(store_dir), Settings(mark_read_after=None, poll_interval=60))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        (warning,) = [n for n in app._notifications if n.title == "Store needs attention"]
        assert f"{journal}:1: skipped a damaged line" in warning.message
        assert "newsdesk doctor" in warning.message
