"""The command line as a script sees it: output, exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args], cwd=REPO, capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=60,
    )


def test_list_on_a_new_store_shows_the_seed(store_dir: Path) -> None:
    out = run("--store", str(store_dir), "list")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == 30
    assert lines[0].split("  ", 1)[1].startswith("The United States and some European partners")


def test_list_json_lines(store_dir: Path) -> None:
    out = run("--store", str(store_dir), "list", "--json")
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == 30
    assert {"id", "title", "body", "tags", "topics"} <= set(rows[0])
    assert rows[0]["tags"] == [] and rows[0]["topics"]


def test_store_from_environment(tmp_path: Path) -> None:
    out = run("list", env={"NEWSDESK_STORE": str(tmp_path / "env-store")})
    assert out.returncode == 0 and (tmp_path / "env-store" / "items.json").exists()


def test_init_empty_then_import_reports(store_dir: Path, tmp_path: Path) -> None:
    assert run("--store", str(store_dir), "init", "--empty").returncode == 0
    src = tmp_path / "a.txt"
    src.write_bytes(b"One brief.\nTwo \xff brief.\n")
    first = run("--store", str(store_dir), "import", str(src))
    assert first.returncode == 1  # something was skipped
    assert first.stdout.strip() == "1 added, 0 already present, 1 skipped"
    assert f"{src}:2: invalid UTF-8" in first.stderr
    again = run("--store", str(store_dir), "import", str(src))
    assert again.stdout.strip() == "0 added, 1 already present, 1 skipped"
    init_again = run("--store", str(store_dir), "init")
    assert init_again.returncode == 0 and "already exists" in init_again.stdout


def test_bad_store_file_exits_1_with_a_message(store_dir: Path) -> None:
    store_dir.mkdir()
    (store_dir / "items.json").write_text("{broken")
    out = run("--store", str(store_dir), "list")
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert "items.json" in out.stderr and "not valid JSON" in out.stderr
    assert (store_dir / "items.json").read_text() == "{broken"


def test_usage_errors_exit_2(store_dir: Path) -> None:
    assert run("--store", str(store_dir), "frobnicate").returncode == 2
    assert run("--store", str(store_dir), "import").returncode == 2


@pytest.mark.parametrize("command", ["init", "import", "list", "tree", "retopic", "tag", "tags"])
def test_every_command_has_help(command: str) -> None:
    out = run(command, "--help")
    assert out.returncode == 0 and "usage: newsdesk" in out.stdout


def test_version() -> None:
    out = run("--version")
    assert out.returncode == 0 and out.stdout.startswith("newsdesk ")


def test_tree_json_groups(store_dir: Path) -> None:
    out = run("--store", str(store_dir), "tree", "--json")
    groups = json.loads(out.stdout)
    names = [g["name"] for g in groups]
    assert "Topics" in names and "Tags" in names
    topics = groups[names.index("Topics")]
    assert topics["count"] == 30
    assert all({"name", "count", "children"} <= set(c) for c in topics["children"])


def test_list_piped_into_head_is_quiet(store_dir: Path) -> None:
    cmd = f"{sys.executable} -m tui --store {store_dir} list | head -1"
    out = subprocess.run(cmd, shell=True, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.stdout.count("\n") == 1 and "Traceback" not in out.stderr


def test_tag_commands_round_trip(store_dir: Path, tmp_path: Path) -> None:
    s = ("--store", str(store_dir))
    ids = [line.split()[0] for line in run(*s, "list").stdout.splitlines()]
    out = run(*s, "tag", ids[0], ids[1][:6], "+verify", "+region/baltics")
    assert out.returncode == 0 and out.stdout.strip() == "+verify +region/baltics on 2 items"
    out = run(*s, "tag", ids[0], "-verify")  # -TAG is an operation, not an option
    assert out.returncode == 0, out.stderr
    listed = json.loads(run(*s, "tags", "--json").stdout)
    assert listed == [{"name": "region/baltics", "count": 2}, {"name": "verify", "count": 1}]
    dump = run(*s, "tags", "dump").stdout
    assert dump.splitlines() == [f"{ids[0]} region/baltics", f"{ids[1]} verify region/baltics"]
    assert run(*s, "tags", "rename", "region", "area").returncode == 0
    assert "area/baltics" in run(*s, "tags").stdout
    (tmp_path / "dump.txt").write_text(dump)
    assert run(*s, "tags", "restore", str(tmp_path / "dump.txt")).returncode == 0
    assert json.loads(run(*s, "tags", "--json").stdout) == listed
    lines = [json.loads(line) for line in run(*s, "list", "--json").stdout.splitlines()]
    assert lines[1]["tags"] == ["verify", "region/baltics"]


def test_tag_refusals_exit_1_with_the_reason(store_dir: Path) -> None:
    s = ("--store", str(store_dir))
    item = run(*s, "list").stdout.split()[0]
    out = run(*s, "tag", item, "+bad,name")
    assert out.returncode == 1 and "commas separate tags" in out.stderr
    out = run(*s, "tag", "zzzzzz", "+x")
    assert out.returncode == 1 and "No item" in out.stderr
    assert run(*s, "tag", item).returncode == 2
    assert "Traceback" not in out.stderr


def test_tags_survive_a_move_to_a_new_store(store_dir: Path, tmp_path: Path) -> None:
    s = ("--store", str(store_dir))
    item = run(*s, "list").stdout.split()[0]
    run(*s, "tag", item, "+keep me/please")
    dump = run(*s, "tags", "dump").stdout
    assert "keep%20me/please" in dump
    fresh = ("--store", str(tmp_path / "new"))
    run(*fresh, "init")
    restore = subprocess.run([sys.executable, "-m", "tui", *fresh, "tags", "restore", "-"],
                             input=dump, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert restore.returncode == 0
    assert json.loads(run(*fresh, "tags", "--json").stdout) == [
        {"name": "keep me/please", "count": 1}]
