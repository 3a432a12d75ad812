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


@pytest.mark.slow
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


@pytest.mark.parametrize("command", ["init", "import", "export", "config", "list", "tree",
                                     "retopic", "tag", "tags"])
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


@pytest.mark.slow
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


@pytest.mark.slow
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


# -- import, export, config ---------------------------------------------------------------

FIXTURES = REPO / "tests" / "fixtures" / "import"


def listed(store_dir: Path) -> list[dict]:
    out = run("--store", str(store_dir), "list", "--json")
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


@pytest.mark.slow
def test_import_many_formats_reports_positions_and_exits_1(store_dir: Path) -> None:
    s = ("--store", str(store_dir))
    run(*s, "init", "--empty")
    files = [str(FIXTURES / n) for n in ("rss2.xml", "briefs.csv", "briefs.jsonl", "rdf.xml")]
    out = run(*s, "import", *files)
    assert out.returncode == 1
    assert out.stdout == "12 added, 0 already present, 6 skipped\n"
    errors = out.stderr.replace(str(FIXTURES) + "/", "").splitlines()
    assert errors == [
        "newsdesk: rss2.xml: record 4: the entry has no title and no text; skipped",
        "newsdesk: briefs.csv:4: expected 5 fields, found 6; row skipped",
        "newsdesk: briefs.csv:7: unclosed quote; row skipped",
        "newsdesk: briefs.jsonl:2: not valid JSON: Expecting ',' delimiter (column 49); "
        "line skipped",
        "newsdesk: briefs.jsonl:4: expected a JSON object, found an array; line skipped",
        "newsdesk: briefs.jsonl:5: no text (looked for body, text, summary, content, "
        "description, title)",
    ]
    again = run(*s, "import", *files)
    assert again.stdout == "0 added, 12 already present, 6 skipped\n"
    clean = run(*s, "import", str(FIXTURES / "atom.xml"))
    assert clean.returncode == 0 and clean.stdout == "3 added, 0 already present\n"


@pytest.mark.slow
def test_import_from_stdin_with_format_and_map(store_dir: Path) -> None:
    s = ("--store", str(store_dir))
    run(*s, "init", "--empty")
    feed = (FIXTURES / "atom.xml").read_text()
    out = subprocess.run([sys.executable, "-m", "tui", *s, "import", "-"], input=feed,
                         cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout == "3 added, 0 already present\n", out.stderr
    odd = (FIXTURES / "odd-fields.json").read_text()
    out = subprocess.run(
        [sys.executable, "-m", "tui", *s, "import", "--format", "json", "--map", "text=Story",
         "--map", "title=Headline", "--map", "date=When", "-"],
        input=odd, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and out.stdout == "4 added, 0 already present, 1 skipped\n"
    assert "stdin: record 3: expected a JSON object" in out.stderr
    assert "newsdesk: warning: stdin: record 5: date 'yesterday-ish' not understood" in out.stderr
    rows = listed(store_dir)
    assert {r["source"] for r in rows} == {"stdin"}
    assert rows[0]["title"] == "Finland reopens border crossing"
    assert rows[3]["date"] == "2025-02-15T18:30:00Z"


def test_import_usage_errors_exit_2(store_dir: Path) -> None:
    out = run("--store", str(store_dir), "import", "--map", "colour=c", "x.csv")
    assert out.returncode == 2 and "unknown field 'colour'" in out.stderr
    out = run("--store", str(store_dir), "import", "--format", "xls", "x.csv")
    assert out.returncode == 2


@pytest.mark.slow
def test_import_update_keeps_ids_and_tags(store_dir: Path, tmp_path: Path) -> None:
    s = ("--store", str(store_dir))
    run(*s, "init", "--empty")
    src = tmp_path / "feed.jsonl"
    src.write_text('{"guid": "g1", "title": "Old", "body": "Old text."}\n')
    assert run(*s, "import", str(src)).stdout == "1 added, 0 already present\n"
    (item_id,) = [r["id"] for r in listed(store_dir)]
    run(*s, "tag", item_id, "+keep")
    src.write_text('{"guid": "g1", "title": "New", "body": "New text.", "tags": "fresh"}\n')
    assert run(*s, "import", str(src)).stdout == "0 added, 1 already present\n"
    out = run(*s, "import", "--update", str(src))
    assert out.returncode == 0 and out.stdout == "0 added, 0 already present, 1 updated\n"
    (row,) = listed(store_dir)
    assert (row["id"], row["title"], row["body"]) == (item_id, "New", "New text.")
    assert row["tags"] == ["keep", "fresh"]


IMPORT_ONLY = """
import sys
from tui.cli import main
code = main(["--store", sys.argv[1], "import", sys.argv[2]])
print("LOADED:" + ",".join(sorted(m for m in sys.modules
                                  if m.split(".")[0] in ("textual", "rich"))), file=sys.stderr)
"""


def test_import_loads_neither_textual_nor_rich(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-c", IMPORT_ONLY, str(tmp_path / "s"),
                          str(FIXTURES / "rss2.xml")], cwd=REPO, capture_output=True,
                         text=True, timeout=60)
    assert out.stderr.rstrip().endswith("LOADED:"), out.stderr


def test_progress_bar_only_on_a_terminal_after_a_second() -> None:
    import io

    from tui.cli import ImportProgress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    now = [0.0]
    quiet = ImportProgress(io.StringIO(), clock=lambda: now[0])
    now[0] = 5.0
    quiet.update("importing", 1, 2)
    assert not quiet.enabled and quiet.bar is None
    now[0] = 0.0
    screen = Terminal()
    shown = ImportProgress(screen, clock=lambda: now[0])
    shown.update("reading", 1, 2)
    assert shown.bar is None  # fast imports never show one
    now[0] = 1.5
    shown.update("importing", 1, 2)
    assert shown.bar is not None
    shown.stop()
    assert shown.bar is None and screen.getvalue()


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_round_trip_through_the_cli(store_dir: Path, tmp_path: Path, fmt: str) -> None:
    s = ("--store", str(store_dir))
    run(*s, "import", str(FIXTURES / "rss2.xml"), str(FIXTURES / "atom.xml"))
    first = listed(store_dir)[0]["id"]
    run(*s, "tag", first, "+verify")
    target = tmp_path / f"all.{fmt}"
    out = run(*s, "export", "-o", str(target))
    assert out.returncode == 0 and out.stderr == f"Exported 36 items to {target}.\n"
    fresh = ("--store", str(tmp_path / "fresh"))
    assert run(*fresh, "init", "--empty").returncode == 0
    out = run(*fresh, "import", str(target))
    assert out.returncode == 0 and out.stdout == "36 added, 0 already present\n", out.stderr
    keys = ("id", "title", "body", "date", "url", "tags")
    assert [[r[k] for k in keys] for r in listed(tmp_path / "fresh")] == [
        [r[k] for k in keys] for r in listed(store_dir)]


@pytest.mark.slow
def test_export_to_stdout_with_query(store_dir: Path) -> None:
    s = ("--store", str(store_dir))
    run(*s, "import", str(FIXTURES / "rss2.xml"))
    out = run(*s, "export", "--format", "md", "--query", "tag:defence")
    assert out.returncode == 0
    assert out.stdout.count("\n## ") == 1 and "## Estonia expands drone defence" in out.stdout
    out = run(*s, "export", "--query", "defence date:2025")  # the full search language
    assert out.returncode == 0 and "Estonia expands drone defence" in out.stdout
    out = run(*s, "export", "--query", "drone (")
    assert out.returncode == 1 and "Bad query" in out.stderr and "column" in out.stderr
    out = run(*s, "export", "-o", str(store_dir / "missing" / "x.jsonl"))
    assert out.returncode == 1 and "Traceback" not in out.stderr


def test_config_path_show_and_default_store(tmp_path: Path) -> None:
    env = {"NEWSDESK_CONFIG_DIR": str(tmp_path / "cfg")}
    out = run("config", "path", env=env)
    assert out.stdout.strip() == str(tmp_path / "cfg" / "config.toml")
    out = run("config", "show", env=env)
    assert out.returncode == 0 and "does not exist: all defaults" in out.stdout
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "config.toml").write_text(
        f'store = "{tmp_path / "from-config"}"\nmouse = 3\n')
    out = run("config", "show", env=env)
    assert out.returncode == 1
    assert "mouse = true" in out.stdout and f'store = "{tmp_path / "from-config"}"' in out.stdout
    assert out.stderr == (f"newsdesk: {tmp_path / 'cfg' / 'config.toml'}:2: mouse must be true "
                          "or false; using the default (true)\n")
    no_env_store = {k: v for k, v in os.environ.items() if k != "NEWSDESK_STORE"}
    out = subprocess.run([sys.executable, "-m", "tui", "init", "--empty"], cwd=REPO,
                         capture_output=True, text=True, timeout=60, env={**no_env_store, **env})
    assert out.returncode == 0 and (tmp_path / "from-config" / "items.json").exists()


def _wire_rows(start: int, count: int) -> str:
    """Headerless class,title,text rows on three subjects, worded differently each time."""
    themes = [
        ("2", "striker scored goals league match season coach fans stadium win"),
        ("3", "shares stocks investors profit earnings quarter market prices oil traders"),
        ("4", "scientists space telescope planet orbit nasa launch mission research probe"),
    ]
    lines = []
    for n in range(start, start + count):
        section, words = themes[n % 3]
        w = words.split()
        picked = " ".join(w[(n + k) % len(w)] for k in range(6))
        lines.append(f'"{section}","Report {n} on {w[n % len(w)]}","LONDON (Reuters) - '
                     f'Item {n} #39;s {picked} and {w[(n * 7) % len(w)]} today."')
    return "\n".join(lines) + "\n"


@pytest.mark.slow
def test_newswire_import_discovers_subjects_and_keeps_them(tmp_path: Path) -> None:
    store = tmp_path / "s"
    assert run("--store", str(store), "init", "--empty").returncode == 0
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(_wire_rows(0, 90), encoding="utf-8")
    second.write_text(_wire_rows(90, 30), encoding="utf-8")
    args = ["--no-header", "--map", "title=2", "--map", "text=3"]
    out = run("--store", str(store), "import", *args, str(first))
    assert out.returncode == 0, out.stderr
    before = {d["id"]: d["subjects"] for d in listed(store)}
    # (the worst-fitting share of them, UNFILED_SHARE, is under no subject, as later items)
    assert sum(bool(s) for s in before.values()) >= 0.9 * len(before)
    assert all(p.count("/") == 1 for s in before.values() for p in s)
    assert all("#39;" not in d["body"] for d in listed(store))
    run("--store", str(store), "import", *args, str(second))
    items = listed(store)
    assert all(d["subjects"] == before[d["id"]] for d in items if d["id"] in before)
    assert sum(bool(d["subjects"]) for d in items) >= 0.9 * len(items)
    tree = {g["name"]: g for g in json.loads(run("--store", str(store), "tree",
                                                 "--json").stdout)}
    assert tree["Topics"]["children"] == []  # --empty: the seed's rules are not here
    tops = tree["Subjects"]["children"]
    leaves = [leaf for t in tops for leaf in t["children"]]
    assert 2 <= len(tops) <= 15 and len(leaves) <= 60
    assert all(len(n["name"]) <= 40 and "/" not in n["name"] for n in tops + leaves)
    again = run("--store", str(store), "retopic", "--subjects")
    assert again.returncode == 0 and "subjects re-derived" in again.stdout
    assert sum(bool(d["subjects"]) for d in listed(store)) >= 0.9 * len(items)
