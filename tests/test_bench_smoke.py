"""The benchmark suite still runs: ``bench/run.py --quick`` and ``bench/limits.py
--quick`` print their tables.

The full run (1k/10k/100k items, minutes) is done by hand and recorded in
bench/RESULTS.md; this only keeps the suite from rotting as the code changes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow  # whole benchmark runs, even quick ones: seconds each


def test_quick_benchmark_prints_the_table(tmp_path: Path) -> None:
    env = {**os.environ, "NEWSDESK_CONFIG_DIR": str(tmp_path / "config")}
    env.pop("NEWSDESK_STORE", None)
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--quick", "--from-source",
         "--workdir", str(tmp_path / "bench")],
        capture_output=True, text=True, timeout=180, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    header = next(line for line in out.splitlines() if line.startswith("measure"))
    assert "100" in header and "500" in header and "target" in header
    for row in ("first frame, items visible", "cursor move", "topic switch",
                "search keystroke", "tag op", "peak RSS", "import (whole process)",
                "tree at start", "disk: items.json"):
        line = next((x for x in out.splitlines() if x.startswith(row)), None)
        assert line is not None, f"no {row!r} row in:\n{out}"
    first = next(x for x in out.splitlines() if x.startswith("first frame, items visible"))
    assert " s " in first and " - " not in first.split("minimal")[0], first


def test_quick_limits_benchmark_prints_a_row_per_case(tmp_path: Path) -> None:
    from bench.limits import CASES

    env = {**os.environ, "NEWSDESK_CONFIG_DIR": str(tmp_path / "config")}
    env.pop("NEWSDESK_STORE", None)
    done = subprocess.run([sys.executable, str(REPO / "bench" / "limits.py"), "--quick"],
                          capture_output=True, text=True, timeout=180, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert any(line.startswith("measure") and "ratio" in line for line in lines)
    for case in CASES:
        row = next((x for x in lines if x.startswith(case.name)), None)
        assert row is not None, f"no {case.name!r} row in:\n{done.stdout}"
        assert row.split()[-2].endswith("x") and row.split()[-1].endswith("x"), row
@pytest.mark.slow
def test_responsive_benchmark_prints_its_table(tmp_path: Path) -> None:
    """bench/responsive.py (keys in the TUI while another process imports) still runs:
    a tiny import, few keys; its figures are not checked, only that it measures."""
    env = {**os.environ, "NEWSDESK_CONFIG_DIR": str(tmp_path / "config")}
    env.pop("NEWSDESK_STORE", None)
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "responsive.py"), "--items", "400",
         "--seed-items", "60", "--idle-keys", "3", "--tag-every", "3", "--after", "0.5",
         "--cli-runs", "1", "--key-timeout", "20", "--workdir", str(tmp_path / "work")],
        capture_output=True, text=True, timeout=240, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("$ ") and "responsive.py" in lines[0]
    for action in ("j/k: cursor row moved", "t: tag dialog open", "type tag name: echoed",
                   "enter: tag shown", "cli: tag ID +TAG (process)"):
        assert any(x.startswith(action) and " idle " in x for x in lines), done.stdout
    given = next(x for x in lines if x.startswith("TUI tags given (idle)"))
    assert given.endswith("1, in the store afterwards: 1"), given
    assert any(x.startswith("'busy' / 'Not saved' on the TUI's screen:") for x in lines)


@pytest.mark.slow
def test_scale_benchmark_prints_its_table(tmp_path: Path) -> None:
    """bench/scale.py (issue 18: whole processes at two store sizes) still runs: tiny
    stores, one run each, no TUI and no notmuch; only the table's rows are checked."""
    env = {**os.environ, "NEWSDESK_CONFIG_DIR": str(tmp_path / "config")}
    env.pop("NEWSDESK_STORE", None)
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "scale.py"), "--sizes", "60,120", "--runs", "1",
         "--new", "20", "--no-tui", "--no-notmuch", "--quiet"],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    lines = done.stdout.splitlines()
    header = next(x for x in lines if x.startswith("action"))
    assert "60: time, peak RSS" in header and "120: time, peak RSS" in header, header
    for action in ("ready: import all", "CLI tag ID", "CLI search --json --limit 50",
                   "CLI search --count", "import 20 new items"):
        row = next((x for x in lines if x.startswith(action)), None)
        assert row is not None, f"no {action!r} row in:\n{done.stdout}"
        assert " MB" in row and row.rstrip().endswith(("ok", ")")), row
    assert any(x.startswith("notmuch: not measured (--no-notmuch)") for x in lines)
