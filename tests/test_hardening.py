"""Issue 19 (hardening): export -o never clobbers, a private store, every planted
symlink refused, a torn journal tail kept, bounded items and queries."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from store.desk import Store, default_rules
from store.disk.perms import is_shared
from store.disk.safe_output import OutputError, write_output
from store.doctor import check_store
from store.errors import StoreError, StoreFormatError, StoreWriteError
from tui.cli import main


def _modes(root: Path) -> dict[str, int]:
    return {p.relative_to(root.parent).as_posix(): stat.S_IMODE(p.stat().st_mode)
            for p in [root, *root.rglob("*")]}


def _briefs(store_dir: Path, text: str = "A new brief about Porto harbour.") -> str:
    path = store_dir.parent / f"briefs-{abs(hash(text))}.txt"
    path.write_text(text + "\n")
    return str(path)


def _use(store: Store) -> None:
    """Make every kind of store file: items, lock, journal, snapshot, backups, caches."""
    store.state.tag(store.ids()[:2], add=["x"])
    store.user.compact()
    store.state.tag(store.ids()[2:3], add=["y"])
    assert store.search("nato")


# -- export -o ---------------------------------------------------------------------------


@pytest.fixture
def seeded(store_dir: Path) -> Path:
    Store.open(store_dir)
    return store_dir


def _export(store_dir: Path, *args: str) -> int:
    return main(["--store", str(store_dir), "export", *args])


def test_export_into_a_fifo_writes_into_it_and_leaves_a_fifo(
        seeded: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    assert _export(seeded, "-o", str(fifo)) == 0
    reader.join(30)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert len(got[0].splitlines()) == 30


def test_export_through_a_link_to_a_fifo_is_like_dev_stdout(
        seeded: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "stdout"
    link.symlink_to(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    assert _export(seeded, "-o", str(link), "--format", "csv") == 0
    reader.join(30)
    assert link.is_symlink() and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert got[0].startswith(b"id,title,body")


def test_export_refuses_an_existing_file_without_force(
        seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "mine.jsonl"
    out.write_text("precious\n")
    assert _export(seeded, "-o", str(out)) == 1
    err = capsys.readouterr().err
    assert f"{out} already exists" in err and "--force" in err and "Traceback" not in err
    assert out.read_text() == "precious\n"


def test_export_force_keeps_mode_and_owner(seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine.jsonl"
    out.write_text("old\n")
    out.chmod(0o600)
    owner = (65534, 65534) if os.geteuid() == 0 else (os.getuid(), os.getgid())
    if os.geteuid() == 0:
        os.chown(out, *owner)
    assert _export(seeded, "-o", str(out), "--force") == 0
    st = out.stat()
    assert stat.S_IMODE(st.st_mode) == 0o600 and (st.st_uid, st.st_gid) == owner
    assert len(out.read_text().splitlines()) == 30


def test_export_never_replaces_what_a_link_points_to(
        seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    link = tmp_path / "export.jsonl"
    link.symlink_to(victim)
    for extra in ([], ["--force"]):
        assert _export(seeded, "-o", str(link), *extra) == 1
        assert "symbolic link" in capsys.readouterr().err
    dangling = tmp_path / "dangling.jsonl"
    dangling.symlink_to(tmp_path / "nowhere")
    assert _export(seeded, "-o", str(dangling), "--force") == 1
    assert victim.read_text() == "keep me" and link.is_symlink()
    assert not (tmp_path / "nowhere").exists()


def test_write_output_refuses_folders_and_sockets(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="is a folder"):
        write_output(tmp_path, b"x", force=True)
    import socket

    sock_path = tmp_path / "s"
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(sock_path))
        with pytest.raises(OutputError, match="not a file"):
            write_output(sock_path, b"x", force=True)
    finally:
        sock.close()


def test_a_new_export_file_is_whole_and_leaves_no_temp(tmp_path: Path) -> None:
    out = tmp_path / "new.csv"
    write_output(out, b"a,b\n")
    assert out.read_bytes() == b"a,b\n" and os.listdir(tmp_path) == ["new.csv"]


# -- a private store, or a group-shared one ----------------------------------------------


def test_new_store_is_private_under_umask_022(store_dir: Path) -> None:
    old = os.umask(0o022)
    try:
        _use(Store.open(store_dir))
        assert main(["--store", str(store_dir), "import", _briefs(store_dir)]) == 0
    finally:
        os.umask(old)
    modes = _modes(store_dir)
    assert {"store/index.bin", "store/tree.json", "store/journal.jsonl", "store/lock",
            "store/state.json", "store/backups/items.prev.json"} <= set(modes)
    for name, mode in modes.items():
        assert mode == (0o700 if (store_dir.parent / name).is_dir() else 0o600), name


def test_an_empty_folder_given_for_a_new_store_is_made_private(store_dir: Path) -> None:
    store_dir.mkdir(mode=0o755)
    store_dir.chmod(0o755)
    Store.open(store_dir)
    assert stat.S_IMODE(store_dir.stat().st_mode) == 0o700


def test_a_group_shared_store_gets_group_files(store_dir: Path) -> None:
    store_dir.mkdir()
    store_dir.chmod(0o2770)
    assert is_shared(store_dir)
    old = os.umask(0o077)  # even a strict umask: the folder says "share"
    try:
        _use(Store.open(store_dir))
    finally:
        os.umask(old)
    modes = _modes(store_dir)
    assert modes["store"] == 0o2770 and modes["store/backups"] == 0o2770
    files = {n: m for n, m in modes.items() if not (store_dir.parent / n).is_dir()}
    assert {"store/index.bin", "store/items.json", "store/journal.jsonl"} <= set(files)
    assert set(files.values()) == {0o660}, files


def test_an_old_world_readable_file_is_made_private_when_rewritten(store_dir: Path) -> None:
    store = Store.open(store_dir)
    (store_dir / "journal.jsonl").touch()
    (store_dir / "journal.jsonl").chmod(0o644)
    store.state.tag(store.ids()[:1], add=["x"])
    assert stat.S_IMODE((store_dir / "journal.jsonl").stat().st_mode) == 0o600


# -- symbolic links in place of data files -----------------------------------------------


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    path = tmp_path / "victim.json"
    path.write_text("keep me")
    return path


@pytest.mark.parametrize("name", ["items.json", "state.json"])
def test_a_symlinked_data_file_is_refused_by_name(
        store_dir: Path, tmp_path: Path, name: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    store = Store.open(store_dir)
    store.state.tag(store.ids()[:1], add=["x"])
    store.user.compact()
    assert store.search("nato")  # a current search cache: not a way around the refusal
    real = tmp_path / f"real-{name}"
    os.replace(store_dir / name, real)
    (store_dir / name).symlink_to(real)
    before = real.read_bytes()
    with pytest.raises(StoreFormatError, match="symbolic link") as caught:
        Store.open(store_dir)
    assert str(store_dir / name) in str(caught.value) and "mv" in str(caught.value)
    for argv in (["list"], ["search", "nato"], ["tag", store.ids()[0], "+y"],
                 ["import", _briefs(store_dir)]):
        assert main(["--store", str(store_dir), *argv]) == 1, argv
        err = capsys.readouterr().err
        assert f"{store_dir / name}" in err and "symbolic link" in err, argv
        assert "Traceback" not in err and "free some space" not in err
    assert real.read_bytes() == before and (store_dir / name).is_symlink()
    assert "is a symbolic link" in check_store(store_dir).render()


def test_a_symlinked_lock_says_to_delete_it_not_to_free_space(
        store_dir: Path, victim: Path) -> None:
    store = Store.open(store_dir)
    (store_dir / "lock").unlink()
    (store_dir / "lock").symlink_to(victim)
    with pytest.raises(StoreWriteError) as caught:
        store.state.tag(store.ids()[:1], add=["x"])
    message = str(caught.value)
    assert str(store_dir / "lock") in message and "delete the link" in message
    assert "free some space" not in message
    for argv in (["list"], ["search", "nato"], ["tag", store.ids()[0], "+y"]):
        assert main(["--store", str(store_dir), *argv]) == 1, argv
    assert victim.read_text() == "keep me"


def test_a_symlinked_journal_names_it_and_says_what_to_do(
        store_dir: Path, victim: Path) -> None:
    store = Store.open(store_dir)
    (store_dir / "journal.jsonl").symlink_to(victim)
    with pytest.raises(StoreError) as caught:
        store.state.tag(store.ids()[:1], add=["x"])
    assert str(store_dir / "journal.jsonl") in str(caught.value)
    assert "free some space" not in str(caught.value)
    assert victim.read_text() == "keep me"


@pytest.mark.parametrize("name", ["index.bin", "tree.json"])
def test_a_symlinked_cache_is_ignored_and_rebuilt(
        store_dir: Path, tmp_path: Path, name: str) -> None:
    store = Store.open(store_dir)
    store.search("nato")
    assert main(["--store", str(store_dir), "import", _briefs(store_dir)]) == 0
    planted = tmp_path / f"planted-{name}"
    os.replace(store_dir / name, planted)
    (store_dir / name).symlink_to(planted)
    before = planted.read_bytes()
    assert main(["--store", str(store_dir), "search", "--count", "nato"]) == 0
    assert main(["--store", str(store_dir), "import",
                 _briefs(store_dir, "Another brief about Lisbon trams.")]) == 0
    assert planted.read_bytes() == before  # never written through
    assert not (store_dir / name).is_symlink()  # replaced by a fresh cache of its own


# -- a torn journal tail -----------------------------------------------------------------


def _tear(store_dir: Path) -> bytes:
    """Two whole operations, then half of a third (as a crash mid-append leaves)."""
    store = Store.open(store_dir)
    store.state.tag(store.ids()[:1], add=["kept-one"])
    store.state.tag(store.ids()[1:2], add=["kept-two"])
    torn = b'{"seq":3,"at":"2025-01-01T00:00:00Z","kind":"tags","add":{"lost":["'
    with open(store_dir / "journal.jsonl", "ab") as fh:
        fh.write(torn)
    return torn


def test_a_torn_tail_is_kept_in_backups_and_reported_once(
        store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    torn = _tear(store_dir)
    assert main(["--store", str(store_dir), "tags"]) == 0
    captured = capsys.readouterr()
    warnings = [line for line in captured.err.splitlines() if "cut short" in line]
    assert len(warnings) == 1 and str(store_dir / "journal.jsonl") in warnings[0]
    assert "kept-one" in captured.out and "kept-two" in captured.out
    kept = list((store_dir / "backups").glob("journal.torn-*.jsonl"))
    assert len(kept) == 1 and kept[0].read_bytes() == torn and str(kept[0]) in warnings[0]
    assert (store_dir / "journal.jsonl").read_bytes().endswith(b"\n")
    assert stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    # Once: the next command finds a whole journal and says nothing.
    assert main(["--store", str(store_dir), "tags"]) == 0
    assert "cut short" not in capsys.readouterr().err
    store = Store.open(store_dir)
    assert store.state.tags_of(store.ids()[0]) == ["kept-one"]
    store.state.tag(store.ids()[2:3], add=["after"])
    assert Store.open(store_dir).state.tags_of(store.ids()[2]) == ["after"]


def test_a_torn_tail_found_by_a_writer_is_kept_too(store_dir: Path) -> None:
    store = Store.open(store_dir)
    store.state.tag(store.ids()[:1], add=["one"])
    with open(store_dir / "journal.jsonl", "ab") as fh:  # torn after this session loaded
        fh.write(b'{"seq":2,"ki')
    store.state.tag(store.ids()[1:2], add=["two"])
    kept = list((store_dir / "backups").glob("journal.torn-*.jsonl"))
    assert [p.read_bytes() for p in kept] == [b'{"seq":2,"ki']
    again = Store.open(store_dir)
    first, second = store.ids()[:2]
    assert again.state.tags_of(first) == ["one"] and again.state.tags_of(second) == ["two"]
    assert again.problems() == []


def test_a_torn_tail_in_a_read_only_store_is_reported_and_left(
        store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tear(store_dir)
    before = (store_dir / "journal.jsonl").read_bytes()
    from store import desk

    monkeypatch.setattr(desk, "is_writable", lambda folder: False)
    store = Store.open(store_dir)
    assert store.readonly
    assert any("cut short" in p and "read-only" in p for p in store.problems())
    assert (store_dir / "journal.jsonl").read_bytes() == before


# -- the size of one item ----------------------------------------------------------------


def test_cut_text_stops_after_a_whole_word() -> None:
    from store.ingest.limits import cut_text

    text = "word " * 400 + "unbroken" * 200
    assert cut_text(text, 5000) == text
    cut = cut_text(text, 1000)
    assert len(cut) <= 1000 and cut.endswith("word…") and text.startswith(cut[:-1])
    hard = cut_text("x" * 5000, 1000)  # no boundary near: a hard cut
    assert hard == "x" * 999 + "…"


@pytest.mark.slow
def test_a_long_line_is_cut_with_one_note_per_file(
        store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    words = " ".join(f"word{n}" for n in range(400_000))  # ~3.6 million characters
    big = tmp_path / "big.txt"
    big.write_text(f"{words}\nagain {words}\nA short brief about Oslo.\n")
    assert main(["--store", str(store_dir), "import", str(big)]) == 0
    err = capsys.readouterr().err
    notes = [line for line in err.splitlines() if "cut to" in line]
    assert notes == [f"newsdesk: warning: {big}: 2 items cut to 1 MB (at a word boundary; "
                     "the max_item_chars setting in config.toml is 1,000,000 characters)"]
    store = Store.open(store_dir)
    bodies = sorted(len(item["body"]) for item in store.items())
    assert bodies[-1] <= 1_000_000 and bodies[-2] > 990_000
    longest = max(store.items(), key=lambda item: len(item["body"]))["body"]
    assert longest.endswith("…") and words.startswith(longest[:-1])
    assert store.search("word399999") == []  # past the cut
    assert store.search("word1000")


def test_max_item_chars_comes_from_the_config(
        store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = Path(os.environ["NEWSDESK_CONFIG_DIR"])
    config.mkdir(parents=True)
    (config / "config.toml").write_text("max_item_chars = 2000\n")
    src = tmp_path / "items.jsonl"
    src.write_text('{"title": "Long", "body": "' + "lorem ipsum " * 500 + '"}\n')
    assert main(["--store", str(store_dir), "import", str(src)]) == 0
    assert "1 item cut to 2 KB" in capsys.readouterr().err
    item = next(i for i in Store.open(store_dir).items() if i["title"] == "Long")
    assert len(item["body"]) <= 2000
    (config / "config.toml").write_text("max_item_chars = 5\n")
    assert main(["config", "show"]) == 1
    assert "max_item_chars must be a whole number" in capsys.readouterr().err


def test_a_1_mb_csv_cell_reads_back(tmp_path: Path) -> None:
    from store.ingest.importers import read_bytes

    body = "lorem ipsum " * 80_000
    result = read_bytes(f'title,body\nBig,"{body}"\n'.encode(), "big.csv")
    assert result.problems == [] and len(result.records[0].body) <= 1_000_000


# -- bounded queries in the TUI's search bar ---------------------------------------------


@pytest.mark.slow
async def test_a_pasted_wall_of_terms_is_refused_in_the_search_bar(store_dir: Path) -> None:
    from tui.app import make_app
    from tui.config import Settings
    from tui.widgets.item_list import ItemList
    from tui.widgets.search_bar import SearchBar

    store = Store.open(store_dir)
    store.ensure_index()
    app = make_app(store, Settings(mark_read_after=None, poll_interval=60))
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.store.search_index is not None
        await pilot.press("slash")
        bar = app.screen.query_one(SearchBar)
        bar.input.value = " OR ".join(["a*"] * 2000)  # as a paste leaves it
        await pilot.press("enter")  # runs it now, without the typing debounce
        await pilot.pause()
        status = str(app.screen.query_one("#search-status").render())
        assert "too long" in status and "4,096" in status
        assert app.screen.query_one(ItemList).item_count == 30  # nothing ran
        bar.input.value = " OR ".join(["nato"] * 400)  # 3 KB of one repeated term
        await pilot.press("slash", "enter")
        await pilot.pause()
        assert 0 < app.screen.query_one(ItemList).item_count < 30


def _tag_as_nobody(root: str, rules, report_fd: int) -> None:  # noqa: ANN001 - TopicRules
    try:
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
        store = Store.open(root, rules=rules)
        store.state.tag(store.ids()[1:2], add=["from-a-member"])
        os.write(report_fd, f"ok readonly={store.readonly}".encode())
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        os.write(report_fd, f"failed: {exc!r}".encode())
    os._exit(0)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as a second user")
def test_a_second_group_member_shares_a_group_store(tmp_path: Path) -> None:
    import multiprocessing
    import shutil
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="newsdesk-team-"))
    try:
        base.chmod(0o755)
        team = base / "team"
        team.mkdir()
        os.chown(team, 0, 65534)
        team.chmod(0o2770)
        store = Store.open(team)
        store.state.tag(store.ids()[:1], add=["from-root"])
        read_fd, write_fd = os.pipe()
        proc = multiprocessing.get_context("fork").Process(
            target=_tag_as_nobody, args=(str(team), default_rules(), write_fd))
        proc.start()
        os.close(write_fd)
        proc.join(60)
        with os.fdopen(read_fd) as fh:
            assert fh.read() == "ok readonly=False"
        again = Store.open(team)
        assert again.state.tags_of(again.ids()[0]) == ["from-root"]
        assert again.state.tags_of(again.ids()[1]) == ["from-a-member"]
        for path in team.rglob("*"):
            assert path.stat().st_gid == 65534, path
    finally:
        shutil.rmtree(base)


@pytest.mark.slow
async def test_the_palette_export_asks_before_replacing_a_file(
        store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.app import make_app
    from tui.config import Settings
    from tui.screens.confirm import ConfirmScreen
    from tui.screens.prompt import PromptScreen

    monkeypatch.chdir(tmp_path)  # a short name to type, relative to the working folder
    target = tmp_path / "view.jsonl"
    target.write_text("precious\n")
    target.chmod(0o640)
    app = make_app(Store.open(store_dir), Settings(mark_read_after=None, poll_interval=60))
    async with app.run_test(size=(120, 40)) as pilot:
        export = next(c for c in app.get_system_commands(app.screen)
                      if c.title == "Export the current view…")
        for answer in ("n", "y"):
            export.callback()
            await pilot.pause()
            assert isinstance(app.screen, PromptScreen)
            await pilot.press("ctrl+u", *target.name, "enter")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press(answer)
            await pilot.pause()
            if answer == "n":
                assert target.read_text() == "precious\n"
    assert len(target.read_text().splitlines()) == 30
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
