"""ruff runs with the tests, so style holds on every machine, not one laptop."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is in the [test] extras"
    folders = [name for name in ("store", "tui", "tests", "bench") if (REPO / name).is_dir()]
    out = subprocess.run([ruff, "check", *folders], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout[-3000:]
