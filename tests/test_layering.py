"""The layering rules: the core never pulls in the UI, scripted commands start light."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

CHECK = """
import sys, pkgutil, importlib, store
for mod in pkgutil.walk_packages(store.__path__, "store."):
    importlib.import_module(mod.name)
bad = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich", "tui"))
print(",".join(bad))
"""


def test_store_never_imports_textual_or_rich() -> None:
    out = subprocess.run([sys.executable, "-c", CHECK], cwd=REPO, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


SCRIPTED = """
import sys
from tui.cli import main
code = main(["--store", sys.argv[1], sys.argv[2]])
print("LOADED:" + ",".join(sorted(m for m in sys.modules if m.split(".")[0] == "textual")),
      file=sys.stderr)
"""


def test_scripted_commands_do_not_import_textual(tmp_path: Path) -> None:
    for command in ("list", "tree"):
        out = subprocess.run([sys.executable, "-c", SCRIPTED, str(tmp_path / "s"), command],
                             cwd=REPO, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        assert "LOADED:\n" in out.stderr or out.stderr.rstrip().endswith("LOADED:")
