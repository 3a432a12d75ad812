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
