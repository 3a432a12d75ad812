"""Disk full, read-only, permissions, stale locks, umask and planted symlinks."""

from __future__ import annotations

import errno
import multiprocessing
import os
import shutil
import signal
import stat
import tempfile
from pathlib import Path

import pytest

from store.desk import ITEMS_FILE, Store, default_rules
from store.disk import atomic as storage
from store.doctor import check_store
from store.errors import ReadOnlyStoreError, StoreError, StoreWriteError
from store.state import journal as journal_module
from store.state import userstate as state_module
from tui.app import make_app
from tui.cli import main
from tui.config import Settings
from tui.screens.main import READONLY_BANNER
from tui.screens.tag_editor import TagEditorScreen

QUIET = Settings(mark_read_after=None, poll_interval=60)
SEED = Path(__file__).resolve().parent.parent / "seeds" / "briefs.txt"


def _oserror(code: int):  # noqa: ANN202 - a stand-in for an os function
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))
    return fail


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every store file's bytes (not the search cache, which the TUI builds on start)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != "index.bin"}


def _tree_labels(app) -> list[str]:  # noqa: ANN001 - the app under test
    labels: list[str] = []

    def walk(node) -> None:  # noqa: ANN001
        for child in node.children:
            labels.append(str(child.label))
            walk(child)

    walk(app.screen.tree.root)
    return labels


def _row_text(app) -> str:  # noqa: ANN001
    return "".join(segment.text for segment in app.screen.item_list.render_line(0))


# -- a write the disk refuses ----------------------------------------------------------

FAILURES = [
    pytest.param("write", errno.ENOSPC, "the disk is full", id="ENOSPC-write"),
    pytest.param("fsync", errno.EROFS, "the file system is read-only", id="EROFS-fsync"),
    pytest.param("open", errno.EACCES, "permission denied", id="EACCES-open"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("call", "code", "reason"), FAILURES)
async def test_refused_write_says_not_saved_and_shows_nothing(
        store_dir: Path, monkeypatch: pytest.MonkeyPatch, call: str, code: int,
        reason: str) -> None:
    store = Store.open(store_dir)
    first = store.ids()[0]
    store.state.tag([first], add=["before"])
    on_disk = _snapshot(store_dir)
    app = make_app(store, QUIET)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert "before" in _row_text(app)
        await pilot.press("t", *"lost")
        await pilot.pause()
        real = getattr(os, call)
        if call == "open":  # only the journal: the rest of the app keeps its files
            def refuse(path, *args, **kwargs):  # noqa: ANN001, ANN202
                if str(path).endswith("journal.jsonl"):
                    raise OSError(code, os.strerror(code))
                return real(path, *args, **kwargs)
            monkeypatch.setattr(journal_module.os, "open", refuse)
        else:
            monkeypatch.setattr(journal_module.os, call, _oserror(code))
        await pilot.press("enter")
        await pilot.pause()
        monkeypatch.undo()
        assert not isinstance(app.screen, TagEditorScreen)
        errors = [n for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1
        assert errors[0].title == "Not saved" and reason in errors[0].message
        assert "Nothing was changed on disk" in errors[0].message
        assert store.state.tags_of(first) == ["before"]
        assert "lost" not in _row_text(app) and "before" in _row_text(app)
        detail = app.screen.detail.plain
        assert "lost" not in detail and "before" in detail
        assert not any("lost" in label for label in _tree_labels(app))
    assert _snapshot(store_dir) == on_disk
    assert Store.open(store_dir).state.tags_of(first) == ["before"]


@pytest.mark.slow
async def test_a_compaction_that_fails_after_the_append_is_not_a_failed_tag(
        store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(store_dir)
    first = store.ids()[0]
    monkeypatch.setattr(state_module, "COMPACT_BYTES", 0)  # compact after every operation
    store.user._compact_after = 0
    app = make_app(store, QUIET)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("t", *"kept")
        await pilot.pause()
        monkeypatch.setattr(storage.os, "replace", _oserror(errno.ENOSPC))
        await pilot.press("enter")
        await pilot.pause()
        monkeypatch.undo()
        monkeypatch.setattr(state_module, "COMPACT_BYTES", 0)
        assert not [n for n in app._notifications if n.severity == "error"]
        assert "kept" in _row_text(app)
    assert Store.open(store_dir).state.tags_of(first) == ["kept"]
    assert not (store_dir / "state.json").exists()  # folded later, when the disk allows
    store.state.tag([first], add=["next"])  # the disk has room again: the fold happens now
    assert (store_dir / "state.json").exists()
    assert (store_dir / "journal.jsonl").read_bytes() == b""
    assert Store.open(store_dir).state.tags_of(first) == ["kept", "next"]


def test_a_short_write_is_cut_back_and_the_next_append_is_whole(
        store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(store_dir)
    ids = store.ids()
    store.state.tag(ids[:1], add=["one"])
    before = (store_dir / "journal.jsonl").read_bytes()
    real = os.write

    def half(fd: int, data: bytes) -> int:
        return real(fd, data[: len(data) // 2])

    monkeypatch.setattr(journal_module.os, "write", half)
    with pytest.raises(StoreWriteError, match="disk is full"):
        store.state.tag(ids[1:2], add=["two"])
    monkeypatch.undo()
    assert (store_dir / "journal.jsonl").read_bytes() == before
    store.state.tag(ids[2:3], add=["three"])
    again = Store.open(store_dir)
    assert [again.state.tags_of(i) for i in ids[:3]] == [["one"], [], ["three"]]
    assert again.user.bad_lines == 0


def test_a_failed_items_write_withdraws_the_import_tags(
        store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(store_dir)
    src = tmp_path / "tagged.jsonl"
    src.write_text('{"body": "Ministers met in Vilnius on Monday.", "tags": ["inbox"]}\n')
    monkeypatch.setattr(storage.os, "replace", _oserror(errno.ENOSPC))
    with pytest.raises(StoreWriteError):
        store.import_files([src])
    monkeypatch.undo()
    again = Store.open(store_dir)
    assert len(again) == 30 and again.user.state.tags == {}
    assert again.state.undo() is None  # the withdrawn import left no undo step behind
    report = again.import_files([src])
    assert report.added == 1 and again.state.tag_counts() == {"inbox": 1}


# -- read-only stores ------------------------------------------------------------------


@pytest.fixture
def readonly(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store the process may not write (as a non-root user would see it), without
    the lock file a writer would have created: reads must never need it."""
    Store.open(store_dir)
    (store_dir / "lock").unlink()
    real = os.access
    folder = str(store_dir)

    def access(path, mode, *args, **kwargs) -> bool:  # noqa: ANN001
        if mode & os.W_OK and str(path) == folder:
            return False
        return real(path, mode, *args, **kwargs)

    monkeypatch.setattr(storage.os, "access", access)
    return store_dir


def test_readonly_store_opens_without_writing_and_refuses_changes(readonly: Path) -> None:
    items = readonly / ITEMS_FILE
    items.write_bytes(items.read_bytes().replace(b'"rules": "', b'"rules": "old-'))
    before = _snapshot(readonly)
    store = Store.open(readonly)  # rules changed: a writable store would retopic now
    assert store.readonly and len(store) == 30
    for change in (lambda: store.state.tag(store.ids()[:1], add=["x"]),
                   lambda: store.state.rename_tag("a", "b"),
                   lambda: store.state.set_read(store.ids()[:1]),
                   lambda: store.import_files([SEED]),
                   lambda: store.retopic(),
                   lambda: store.user.compact()):
        with pytest.raises(ReadOnlyStoreError, match="is read-only"):
            change()
    assert _snapshot(readonly) == before
    assert not (readonly / "lock").exists()
    assert "read-only for you" in check_store(readonly).render()


def test_cli_tag_on_a_readonly_store_exits_1_saying_why(
        readonly: Path, capsys: pytest.CaptureFixture[str]) -> None:
    item = Store.open(readonly).ids()[0]
    assert main(["--store", str(readonly), "tag", item, "+x"]) == 1
    err = capsys.readouterr().err
    assert "is read-only (no write permission), so this change cannot be saved" in err
    assert main(["--store", str(readonly), "list"]) == 0
    assert main(["--store", str(readonly), "doctor", "--restore"]) == 1
    assert "is read-only" in capsys.readouterr().err


async def test_readonly_banner_browsing_works_and_tagging_says_why(readonly: Path) -> None:
    store = Store.open(readonly)
    app = make_app(store, QUIET)
    async with app.run_test(size=(120, 30)) as pilot:
        banner = app.screen.query_one("#readonly-banner")
        assert str(banner.render()) == READONLY_BANNER
        assert banner.region.y == 0 and banner.region.height == 1
        await pilot.press("j", "j")
        second = store.ids()[2]
        assert app.screen.item_list.current_id == second
        assert store.get(second)["body"][:40] in app.screen.detail.plain
        await pilot.press("t")
        await pilot.pause()
        assert not isinstance(app.screen, TagEditorScreen)  # refused before any typing
        errors = [n for n in app._notifications if n.severity == "error"]
        assert errors and "is read-only" in errors[-1].message
    assert not (readonly / "lock").exists()


def _as_nobody(root: str, rules, report_fd: int) -> None:  # noqa: ANN001 - TopicRules
    os.setgid(65534)
    os.setuid(65534)
    lines = []
    store = Store.open(root, rules=rules)
    lines.append(f"readonly={store.readonly} items={len(store)}")
    try:
        store.state.tag(store.ids()[:1], add=["x"])
    except ReadOnlyStoreError as exc:
        lines.append(f"refused: {exc}")
    os.write(report_fd, "\n".join(lines).encode())
    os._exit(0)


def test_readonly_for_real_as_another_user(tmp_path: Path) -> None:
    """Without monkeypatching: as a user who may not write the folder (root drops to
    nobody in a forked child; a normal user gets a folder without write permission)."""
    root_dir = Path(tempfile.mkdtemp(prefix="newsdesk-ro-"))
    try:
        os.chmod(root_dir, 0o755)
        store_dir = root_dir / "store"
        Store.open(store_dir)
        (store_dir / "lock").unlink()
        for path in [store_dir, *store_dir.rglob("*")]:  # a store private by default,
            path.chmod(0o755 if path.is_dir() else 0o644)  # opened up for readers
        before = _snapshot(store_dir)
        if os.geteuid() == 0:
            read_fd, write_fd = os.pipe()
            ctx = multiprocessing.get_context("fork")
            proc = ctx.Process(target=_as_nobody,
                               args=(str(store_dir), default_rules(), write_fd))
            proc.start()
            os.close(write_fd)
            proc.join(30)
            with os.fdopen(read_fd) as fh:
                lines = fh.read().splitlines()
        else:
            os.chmod(store_dir, 0o555)
            store = Store.open(store_dir)
            lines = [f"readonly={store.readonly} items={len(store)}"]
            try:
                store.state.tag(store.ids()[:1], add=["x"])
            except ReadOnlyStoreError as exc:
                lines.append(f"refused: {exc}")
            os.chmod(store_dir, 0o755)
        assert lines[0] == "readonly=True items=30"
        assert lines[1].startswith("refused: The store at") and "is read-only" in lines[1]
        assert _snapshot(store_dir) == before and not (store_dir / "lock").exists()
    finally:
        shutil.rmtree(root_dir)


# -- locks -------------------------------------------------------------------------------


def _hold_the_lock(root: str, ready, release) -> None:  # noqa: ANN001 - multiprocessing Events
    store = Store.open(root)
    with store._lock.hold():
        ready.set()
        release.wait(60)  # nobody sets it: the parent kills this process holding the lock


def test_a_lock_held_by_a_killed_process_never_blocks(store_dir: Path) -> None:
    store = Store.open(store_dir)
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold_the_lock, args=(str(store_dir), ready, release))
    proc.start()
    assert ready.wait(10)
    store._lock.timeout = 0  # one try, no waiting: busy means held at this very moment
    with pytest.raises(StoreError, match="busy"):  # really held
        store.state.tag(store.ids()[:1], add=["waiting"])
    os.kill(proc.pid, signal.SIGKILL)
    proc.join()
    # Free at once after the kill: the first try takes it (no waiting for a timeout).
    store.state.tag(store.ids()[:1], add=["after-kill"])
    assert Store.open(store_dir).state.tags_of(store.ids()[0]) == ["after-kill"]


# -- file modes ------------------------------------------------------------------------


@pytest.mark.parametrize(("umask", "export_mode"),
                         [(0o002, 0o664), (0o022, 0o644), (0o000, 0o664), (0o077, 0o600)])
def test_a_new_store_is_private_whatever_the_umask(
        store_dir: Path, tmp_path: Path, umask: int, export_mode: int) -> None:
    old = os.umask(umask)
    try:
        store = Store.open(store_dir)  # items.json, lock, backups/items.prev.json
        store.state.tag(store.ids()[:2], add=["x"])  # journal.jsonl
        store.user.compact()  # state.json, backups/state.*.json, a fresh journal
        store.state.tag(store.ids()[2:3], add=["y"])
        out = tmp_path / "export.jsonl"
        assert main(["--store", str(store_dir), "export", "-o", str(out)]) == 0
    finally:
        os.umask(old)
    modes = {str(p.relative_to(tmp_path)): stat.S_IMODE(p.stat().st_mode)
             for p in [store_dir, *store_dir.rglob("*"), out]}
    assert {"store/items.json", "store/state.json", "store/journal.jsonl", "store/lock",
            "store/backups", "store/backups/items.prev.json", "export.jsonl"} <= set(modes)
    for name, mode in modes.items():
        if name == "export.jsonl":  # the user's own file: their umask, never o+w
            assert mode == export_mode, name
        elif name in ("store", "store/backups"):
            assert mode == 0o700, name
        else:
            assert mode == 0o600, name


# -- planted symlinks ----------------------------------------------------------------------


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    path = tmp_path / "victim"
    path.write_text("keep me")
    return path


def test_journal_symlink_is_never_followed(store_dir: Path, victim: Path) -> None:
    store = Store.open(store_dir)
    (store_dir / "journal.jsonl").symlink_to(victim)
    with pytest.raises(StoreError, match="symbolic link"):
        store.state.tag(store.ids()[:1], add=["x"])
    with pytest.raises(StoreError, match="symbolic link"):
        Store.open(store_dir)
    assert victim.read_text() == "keep me"
    assert "journal.jsonl: it is a symbolic link" in check_store(store_dir).render()


def test_lock_symlink_is_never_followed(store_dir: Path, victim: Path) -> None:
    store = Store.open(store_dir)
    (store_dir / "lock").unlink()
    (store_dir / "lock").symlink_to(victim)
    with pytest.raises(StoreWriteError, match="symbolic link"):
        store.state.tag(store.ids()[:1], add=["x"])
    assert victim.read_text() == "keep me"


def test_backups_through_symlinks_are_refused_or_replaced(
        store_dir: Path, tmp_path: Path, victim: Path) -> None:
    store = Store.open(store_dir)
    store.state.tag(store.ids()[:1], add=["x"])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.rmtree(store_dir / "backups")
    (store_dir / "backups").symlink_to(elsewhere)
    with pytest.raises(StoreWriteError, match="symbolic link"):
        store.user.compact()
    store.state.tag(store.ids()[1:2], add=["y"])  # a tag still works (compaction waits)
    (store_dir / "backups").unlink()
    (store_dir / "backups").mkdir()
    # A planted file name inside backups/ is replaced, never written through.
    (store_dir / "backups" / "state.000000000002.json").symlink_to(victim)
    store.user.compact()
    assert victim.read_text() == "keep me" and os.listdir(elsewhere) == []
    assert not (store_dir / "backups" / "state.000000000002.json").is_symlink()


def test_compaction_temp_names_are_created_exclusively(
        store_dir: Path, victim: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(store_dir)
    store.state.tag(store.ids()[:1], add=["x"])
    monkeypatch.setattr(storage.secrets, "token_hex", lambda n: "fixed")
    for name in (".state.000000000001.json.fixed.tmp", ".state.json.fixed.tmp",
                 ".journal.jsonl.fixed.tmp"):
        folder = store_dir / "backups" if name.startswith(".state.0") else store_dir
        (folder / name).symlink_to(victim)
    with pytest.raises(StoreWriteError):
        store.user.compact()
    assert victim.read_text() == "keep me"
    assert Store.open(store_dir).state.tags_of(store.ids()[0]) == ["x"]
