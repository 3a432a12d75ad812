"""Issue 16 on the command line: tag by query (notmuch's way), read marks in JSON,
an empty import file, a broken items.json without a backup, an unknown --theme."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from store.desk import Store
from tests.conftest import SEED_BRIEFS
from tui.cli import main
from tui.theme import TEXTUAL_THEMES


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def _seed_count(pattern: str) -> int:
    lines = [line for line in SEED_BRIEFS.read_text(encoding="utf-8").splitlines() if line]
    return sum(bool(re.search(pattern, line, re.I)) for line in lines)


def test_tag_by_query_changes_every_match_and_dry_run_only_counts(
        store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Store.open(store_dir)
    expected = _seed_count(r"\bsecurity guarantees\b")
    code, out, _ = cli(capsys, "--store", str(store_dir), "tag", "--dry-run", "+sg", "--",
                       '"security guarantees"')
    assert code == 0 and out.startswith(f"{expected} items match") and "--dry-run" in out
    assert Store.open(store_dir).state.tag_counts() == {}
    code, out, _ = cli(capsys, "--store", str(store_dir), "tag", "+sg", "-none", "--",
                       '"security', 'guarantees"')
    assert code == 0 and out.startswith(f"{expected} items match")
    assert Store.open(store_dir).state.tag_counts() == {"sg": expected}
    code, out, _ = cli(capsys, "--store", str(store_dir), "tag", "-sg", "--", "tag:sg")
    assert code == 0 and Store.open(store_dir).state.tag_counts() == {}


def test_tag_by_ids_keeps_working_and_bad_queries_say_where(
        store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store.open(store_dir)
    first = store.ids()[0]
    code, out, _ = cli(capsys, "--store", str(store_dir), "tag", first[:6], "+x")
    assert code == 0 and Store.open(store_dir).state.tags_of(first) == ["x"]
    code, _, err = cli(capsys, "--store", str(store_dir), "tag", "+y", "--", "(nato")
    assert code == 1 and "unclosed" in err
    code, _, err = cli(capsys, "--store", str(store_dir), "tag", first, "+y", "--", "nato")
    assert code == 2 and "only +TAG and -TAG before --" in err


def test_list_json_says_read(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store.open(store_dir)
    store.state.set_read(store.ids()[:1])
    code, out, _ = cli(capsys, "--store", str(store_dir), "list", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and rows[0]["read"] is True and rows[1]["read"] is False


def test_an_empty_import_file_warns_and_fails(store_dir: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    Store.open(store_dir)
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    code, out, err = cli(capsys, "--store", str(store_dir), "import", str(empty))
    assert code == 1 and f"{empty}: no items" in err and "0 added" in out


def test_broken_items_without_a_backup_gives_other_advice(
        store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Store.open(store_dir, seed=False)
    (store_dir / "items.json").write_text("{broken", encoding="utf-8")
    assert not (store_dir / "backups" / "items.prev.json").exists()
    code, _, err = cli(capsys, "--store", str(store_dir), "list")
    assert code == 1 and "no backup of it to restore" in err and "--restore" not in err


@pytest.mark.parametrize("command", [["list"], ["search", "nato"], ["tree"], []])
def test_an_unknown_theme_is_an_error_from_any_command(
        store_dir: Path, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    code, _, err = cli(capsys, "--store", str(store_dir), "--theme", "nosuch", *command)
    assert code == 2 and "unknown theme 'nosuch'" in err and "nord" in err


def test_the_theme_list_is_textuals_and_checking_it_imports_no_textual() -> None:
    from textual.theme import BUILTIN_THEMES

    assert sorted(TEXTUAL_THEMES) == sorted(BUILTIN_THEMES)
    import subprocess

    probe = ("import sys; from tui.theme import check_theme; check_theme('nord'); "
             "print('textual' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parent.parent, check=True)
    assert out.stdout.strip() == "False"


def test_tag_by_id_reads_the_ids_from_a_current_index_not_the_items(
        store_dir: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(store_dir)
    store.ensure_index()  # the cache a search leaves behind
    first, second = store.ids()[0], store.ids()[1]

    def no_items(self: Store) -> None:
        raise AssertionError("the tag read every item")

    with monkeypatch.context() as patch:
        patch.setattr(Store, "_read_items", no_items)
        code, out, _ = cli(capsys, "--store", str(store_dir), "tag", first[:6], second, "+x")
        assert code == 0 and out.strip() == "+x on 2 items"
        code, _, err = cli(capsys, "--store", str(store_dir), "tag", "zzzzzz", "+x")
        assert code != 0 and "No item with an id starting 'zzzzzz'" in err
    assert Store.open(store_dir).state.tags_of(first) == ["x"]
    # Without a current index the tag reads the store, with the same answers.
    (store_dir / "index.bin").unlink()
    code, out, _ = cli(capsys, "--store", str(store_dir), "tag", second, "-x")
    assert code == 0 and out.strip() == "-x on 1 item"
    assert Store.open(store_dir).state.tag_counts() == {"x": 1}
