"""NewsdeskApp: the Textual shell over an open store. Thin on purpose."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from store.desk import Store
from store.errors import StoreError
from tui.commands import main_screen_commands
from tui.config import Settings
from tui.resources import styles_dir
from tui.screens.confirm import ConfirmScreen
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.screens.prompt import PromptScreen
from tui.screens.tag_editor import TagEditorScreen
from tui.widgets.detail_view import DetailView
from tui.widgets.item_list import ItemList
from tui.widgets.search_bar import SearchBar
from tui.widgets.topic_tree import TopicTree


class NewsdeskApp(App[None]):
    """Three panes over a store; see ``make_app`` to build one."""

    CSS_PATH = str(styles_dir() / "app.tcss")
    TITLE = "newsdesk"
    COMMAND_PALETTE_BINDING = "ctrl+p"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | q | Quit. |
    | ? | Show every key. |
    """

    def __init__(self, store: Store, settings: Settings | None = None) -> None:
        super().__init__()
        self.store = store
        self.settings = settings or Settings()
        self.load_error: StoreError | None = None
        """Why the store could not be read (the app then exits and ``run`` raises it)."""

    def get_default_screen(self) -> MainScreen:
        return MainScreen(self.store, self.settings)

    def on_mount(self) -> None:
        self.set_keymap(self.settings.keys)
        self._apply_settings()

    def _apply_settings(self) -> None:
        """Apply the theme, and tell the user what in their config was not applied."""
        problems = [str(p) for p in self.settings.problems]
        path = self.settings.path
        theme = self.settings.theme
        if theme and theme in self.available_themes:
            self.theme = theme
        elif theme:
            problems.append(f"{path}: theme {theme!r} is unknown (themes: "
                            f"{', '.join(sorted(self.available_themes))})")
        known = binding_ids()
        for binding_id in self.settings.keys:
            if binding_id not in known:
                line = self.settings.key_lines.get(binding_id)
                problems.append(f"{path}{f':{line}' if line else ''}: [keys] no binding has "
                                f"the id {binding_id!r} (press ? for the keys)")
        if problems:
            self.notify("\n".join(problems), title="Settings not applied",
                        severity="warning", timeout=12, markup=False)

    def _help_sections(self) -> list[tuple[str, list[BindingType]]]:
        """Every pane's bindings, with the keys the user's keymap gave them."""
        keys = self.settings.keys

        def mapped(bindings: Iterable[BindingType]) -> list[BindingType]:
            return [dataclasses.replace(b, key=keys[b.id])
                    if isinstance(b, Binding) and b.id in keys else b for b in bindings]

        return [
            ("Everywhere", mapped([*self.BINDINGS, *MainScreen.BINDINGS])),
            ("Topic tree", mapped(TopicTree.BINDINGS)),
            ("Item list", mapped(ItemList.BINDINGS)),
            ("Detail", mapped(DetailView.BINDINGS)),
            ("Search bar", mapped(SearchBar.BINDINGS)),
            ("Tag editor", mapped(TagEditorScreen.BINDINGS)),
        ]

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette (ctrl+p): Textual's own commands (theme, keys, quit…) and every
        newsdesk action by name, with import and export."""
        yield from super().get_system_commands(screen)
        if isinstance(screen, MainScreen):
            yield from main_screen_commands(screen)

    def action_help(self) -> None:
        """Open the help screen listing every binding."""
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self._help_sections()))


def binding_ids() -> set[str]:
    """The id of every binding a keymap (``[keys]`` in config.toml) can change."""
    classes = (NewsdeskApp, MainScreen, TopicTree, ItemList, DetailView, SearchBar,
               TagEditorScreen,
               HelpScreen, ConfirmScreen, PromptScreen)
    return {b.id for cls in classes for b in cls.BINDINGS if isinstance(b, Binding) and b.id}


def make_app(store: Store, settings: Settings | None = None) -> NewsdeskApp:
    """Build the app over ``store`` (tests inject their own store and settings here)."""
    return NewsdeskApp(store, settings)


def run(store: Store, settings: Settings | None = None) -> int:
    """Run the TUI until the user quits; returns the process exit code.

    ``store`` may be opened with ``load=False``: the app then paints first and reads
    the items in a worker; a StoreError from that read is raised here, after the
    terminal is restored.
    """
    settings = settings or Settings()
    app = make_app(store, settings)
    app.run(mouse=settings.mouse)
    if app.load_error is not None:
        raise app.load_error
    return 0
