"""Issue 16: undo per session. Session A's u never undoes session B's tag; what a
session that is gone did can still be undone (undo survives a restart)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from store.desk import Store
from store.state.sessions import is_live, open_session


def _two(store_dir: Path) -> tuple[Store, Store]:
    a, b = Store.open(store_dir), Store.open(store_dir)
    a.user.start_session()
    b.user.start_session()
    return a, b


def test_undo_takes_only_this_sessions_own_changes(store_dir: Path) -> None:
    a, b = _two(store_dir)
    ids = a.ids()
    a.state.tag([ids[0]], add=["mine"])
    b.state.tag([ids[1]], add=["theirs"])
    record = a.state.undo()
    assert record is not None and record["label"] == "undo +mine on 1 item"
    b.refresh()
    assert b.state.tags_of(ids[1]) == ["theirs"] and b.state.tags_of(ids[0]) == []
    assert a.state.undo() is None  # B is still open: its tag is not A's to undo
    assert a.state.redo() is not None and a.state.tags_of(ids[0]) == ["mine"]
    assert b.state.redo() is None  # A's undo is A's to redo
    assert b.state.undo()["label"] == "undo +theirs on 1 item"


def test_a_gone_sessions_changes_can_be_undone_after_restart(store_dir: Path) -> None:
    a, b = _two(store_dir)
    ids = a.ids()
    b.state.tag([ids[1]], add=["theirs"])
    b.user.end_session()  # B quit
    later = Store.open(store_dir)
    later.user.start_session()
    assert later.state.undo()["label"] == "undo +theirs on 1 item"
    assert later.state.tags_of(ids[1]) == []


def test_a_new_edit_clears_only_this_sessions_redo(store_dir: Path) -> None:
    a, b = _two(store_dir)
    ids = a.ids()
    a.state.tag([ids[0]], add=["x"])
    a.state.undo()
    b.state.tag([ids[2]], add=["y"])  # B's edit leaves A's redo alone
    assert a.state.redo() is not None and a.state.tags_of(ids[0]) == ["x"]


def test_liveness_of_sessions() -> None:
    mine = open_session()
    assert is_live(mine) and not is_live(None) and not is_live("junk")
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    assert not is_live(f"{done.stdout.strip()}.abcd")  # that process has exited


def test_marking_all_read_is_undoable(store_dir: Path) -> None:
    store = Store.open(store_dir)
    store.user.start_session()
    ids = store.ids()
    store.state.set_read(ids[:1])  # an ordinary read mark: not in undo
    record = store.state.set_read(ids[:5], undoable=True)
    assert record["label"] == "mark 5 items read" and all(map(store.state.is_read, ids[:5]))
    assert store.state.undo()["label"] == "undo mark 5 items read"
    assert [store.state.is_read(i) for i in ids[:5]] == [True, False, False, False, False]
    assert store.state.redo() is not None and all(map(store.state.is_read, ids[:5]))
    assert store.state.undo() is not None
    store.user.end_session()
    reopened = Store.open(store_dir)  # the history survives a restart
    assert reopened.state.redo() is not None and reopened.state.is_read(ids[4])
