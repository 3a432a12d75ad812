"""The command palette (ctrl+p): every action by name, plus import and export.

Commands are generated from the screen's bindings, so a new key binding is in the
palette without anyone remembering to add it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.binding import Binding

from store import EXPORT_FORMATS, ImportOptions, ImportReport, StoreError, render, write_output
from tui.paths import complete_path
from tui.screens.confirm import ConfirmScreen
from tui.screens.prompt import PromptScreen

if TYPE_CHECKING:
    from tui.screens.main import MainScreen

_SKIP = {"app.focus_next", "app.focus_previous"}


def main_screen_commands(screen: MainScreen) -> Iterable[SystemCommand]:
    """One command per binding of the main screen and its list, then import/export."""
    for owner in (screen, screen.item_list):
        for binding in owner.BINDINGS:
            if isinstance(binding, Binding) and binding.action not in _SKIP:
                title = binding.description or binding.action
                yield SystemCommand(title, f"key: {binding.key}",
                                    lambda b=binding, o=owner: o.run_action(b.action))
    yield SystemCommand("Import a file…", "add items from a txt/csv/json/jsonl/RSS/Atom file",
                        lambda: ask_import(screen))
    yield SystemCommand("Export the current view…", "write the listed items to a file "
                        "(.jsonl, .csv or .md by its extension)", lambda: ask_export(screen))


def _path_problem(value: str) -> str | None:
    return None if value.strip() else "Give a file name."


def ask_import(screen: MainScreen) -> None:
    """Ask for a file and import it; the report arrives as a notification."""

    def done(path: str | None) -> None:
        if not path:
            return
        options = ImportOptions(max_item_chars=screen.settings.max_item_chars)
        source = Path(path.strip()).expanduser()
        screen.notify(f"Importing {source}…", timeout=3)

        def imported(report: ImportReport) -> None:
            for problem in [*report.problems, *report.warnings][:3]:  # warnings: items cut…
                screen.notify(str(problem), severity="warning", timeout=8)
            if not (report.added or report.present or report.updated or report.problems):
                screen.notify(f"{path.strip()}: no items in it; nothing imported.",
                              title="Nothing imported", severity="warning", timeout=8)
                return
            screen.notify(f"Import: {report.summary()}", timeout=5)
            screen.after_import()

        def refused(exc: StoreError) -> None:
            screen.notify(str(exc), title="Not imported", severity="error", timeout=8)

        # in the line of store jobs: the browser stays live while the file is read
        screen.store_job(lambda: screen.store.import_files([source], options), imported, refused)

    screen.app.push_screen(PromptScreen("Import file (Tab completes)", "", _path_problem,
                                        complete_path), done)


def ask_export(screen: MainScreen) -> None:
    """Ask for a file and write the items now listed into it (atomically)."""

    def done(path: str | None) -> None:
        if not path:
            return
        target = Path(path.strip()).expanduser()
        fmt = target.suffix.lstrip(".").lower()
        fmt = fmt if fmt in EXPORT_FORMATS else "jsonl"
        items = [i for i in map(screen.store.get, screen.item_list.ids) if i is not None]
        data, count = render(screen.store, items, fmt)

        def write(force: bool | None = False) -> None:
            if force is None:
                return

            def refused(exc: StoreError) -> None:
                screen.notify(str(exc), title="Not exported", severity="error", timeout=8)

            screen.store_job(lambda: write_output(target, data, force=bool(force)),
                             lambda _: screen.notify(f"Exported {count:,} items to {target} "
                                                     f"({fmt}).", timeout=5), refused)

        if target.is_file() and not target.is_symlink():  # ask before replacing a file
            screen.app.push_screen(ConfirmScreen(f"{target} exists. Replace it (its mode "
                                                 "and owner are kept)?"),
                                   lambda yes: write(True if yes else None))
        else:
            write()

    screen.app.push_screen(PromptScreen("Export the listed items to", "newsdesk-export.jsonl",
                                        _path_problem), done)
