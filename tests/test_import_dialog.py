"""Issue 16: the import dialog completes paths with Tab, and an empty file says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from store.desk import Store
from tests.conftest import until
from tui.app import make_app
from tui.commands import ask_import
from tui.config import Settings
from tui.paths import complete_path
from tui.screens.prompt import PromptScreen

QUIET = Settings(mark_read_after=None, poll_interval=60)


def test_complete_path(tmp_path: Path) -> None:
    (tmp_path / "news-one.txt").write_text("x")
    (tmp_path / "news-two.txt").write_text("x")
    (tmp_path / "feeds").mkdir()
    (tmp_path / ".hidden").write_text("x")
    base = f"{tmp_path}/"
    assert complete_path(base + "fe") == (base + "feeds/", [])
    assert complete_path(base + "news") == (base + "news-", ["news-one.txt", "news-two.txt"])
    assert complete_path(base + "zzz") == (base + "zzz", [])
    assert ".hidden" not in complete_path(base)[1] and complete_path(base + ".h")[0].endswith(
        ".hidden")


@pytest.mark.slow  # seconds of Pilot keys: the full suite runs it
async def test_tab_completes_in_the_import_dialog_and_empty_files_warn(
        store_dir: Path, tmp_path: Path) -> None:
    store = Store.open(store_dir)
    empty = tmp_path / "emptyfile.txt"
    empty.write_text("", encoding="utf-8")
    app = make_app(store, QUIET)
    async with app.run_test(size=(100, 30)) as pilot:
        ask_import(app.screen)
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*f"{tmp_path}/empt", "tab")
        field = app.screen.query_one(Input)
        await until(pilot, lambda: field.value == str(empty), "the completion")
        await pilot.press("enter")
        await until(pilot, lambda: any("no items in it" in n.message
                                       for n in app._notifications), "the warning")
        assert len(store) == 30


@pytest.mark.parametrize("value", ["", "x"])
def test_completion_of_an_unreadable_folder_changes_nothing(value: str) -> None:
    assert complete_path(f"/nonexistent-folder/{value}") == (f"/nonexistent-folder/{value}", [])
