"""`pip install .` yields a working app: seeds and styles travel inside the wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.e2e  # builds the wheel and runs the installed packages

PROBE = """
import asyncio, sys, tempfile
import store, tui
site = sys.argv[1]
assert store.__file__.startswith(site), store.__file__
assert tui.__file__.startswith(site), tui.__file__
from store.desk import Store
from tui.app import make_app

async def main():
    app = make_app(Store.open(tempfile.mkdtemp() + "/s"))
    async with app.run_test(size=(160, 40)) as pilot:  # wide: the tree has its full width
        await pilot.pause()
        items = app.screen.item_list
        tree = app.screen.query_one("#tree")
        print("rows", items.item_count, "tree-width", tree.outer_size.width)

asyncio.run(main())
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "-w", str(out), str(REPO)],
        check=True, capture_output=True, timeout=300,
    )
    (built,) = out.glob("newsdesk-*.whl")
    return built


def test_wheel_carries_seeds_styles_and_the_command(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"store/seeds/briefs.txt", "store/seeds/topics.toml", "tui/styles/app.tcss"} <= names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "newsdesk = tui.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
    shipped = zipfile.ZipFile(wheel).read("store/seeds/briefs.txt")
    assert shipped == (REPO / "seeds" / "briefs.txt").read_bytes()


def test_installed_wheel_opens_the_seed_store_with_its_styles(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    # -P: do not put the current folder on sys.path, so only the wheel's copy is found.
    out = subprocess.run(
        [sys.executable, "-P", "-c", PROBE, str(site)], cwd=tmp_path, capture_output=True,
        text=True, timeout=120, env={"PYTHONPATH": str(site), "HOME": str(tmp_path),
                                     "NEWSDESK_CONFIG_DIR": str(tmp_path / "cfg")},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    # 30 seed rows, and the tree has the width app.tcss gives it (28), not a default.
    assert "rows 30 tree-width 28" in out.stdout
