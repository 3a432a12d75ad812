"""NewsdeskApp: the Textual shell over an open store. Thin on purpose."""

from __future__ import annotations

import dataclasses
import gc
import os
from collections.abc import Iterable
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen

from store import Store, StoreError
from tui.commands import main_screen_commands
from tui.config import Settings, value_problem
from tui.resources import styles_dir
from tui.screens.confirm import ConfirmScreen
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.screens.prompt import PromptScreen
from tui.screens.tag_editor import TagEditorScreen
from tui.theme import DEFAULT_THEME, UnknownTheme, auto_theme, resolve_theme
from tui.widgets.detail_view import DetailView
from tui.widgets.item_list import ItemList
from tui.widgets.search_bar import SearchBar
from tui.widgets.topic_tree import TopicTree


class NewsdeskApp(App[None]):
    """Three panes over a store; see ``make_app`` to build one.

    Made for terminals over SSH: no animations (every frame costs bytes), the
    theme suits the terminal's colours, notifications never parse markup (they
    quote item titles and tag names), and ``run`` can leave the mouse alone.
    """

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
    | ctrl+p | The command palette: every action by name. |
    """

    def __init__(self, store: Store, settings: Settings | None = None) -> None:
        super().__init__()
        self.store = store
        self.settings = settings or Settings()
        self._theme_problem: str | None = None
        try:
            self.theme = resolve_theme(self.settings.theme or DEFAULT_THEME)
        except UnknownTheme as exc:
            self.theme = DEFAULT_THEME
            self._theme_problem = str(value_problem(self.settings, "theme", str(exc)))
        if "TEXTUAL_ANIMATIONS" not in os.environ:
            # Smooth scrolling and fades are many frames of output on a slow link.
            self.animation_level = "none"
        if os.environ.get("TERM") == "linux":
            # The console's font has square corners (┌┐) but no round ones (╭╮).
            self.add_class("-linux-console")
        self.load_error: StoreError | None = None
        """Why the store could not be read (the app then exits and ``run`` raises it)."""

    def get_default_screen(self) -> MainScreen:
        return MainScreen(self.store, self.settings)

    def on_mount(self) -> None:
        # Undo per session: this app's u never takes back what another one just did.
        self.store.user.start_session()
        self.set_keymap(self.settings.keys)
        self._report_settings()
        self.call_after_refresh(self._after_first_frame)

    def on_unmount(self) -> None:
        self.store.user.end_session()  # what it did can be undone after a restart

    def _after_first_frame(self) -> None:
        # The CLI switches the garbage collector off for start-up; what exists now lives
        # as long as the app, so freeze it out of future collections and turn them on.
        if not gc.isenabled():
            gc.freeze()
            gc.enable()

    def _report_settings(self) -> None:
        """Tell the user what in their config was not applied (and why)."""
        problems = [str(p) for p in self.settings.problems]
        if self._theme_problem:
            problems.append(self._theme_problem)
        path = self.settings.path
        known = binding_ids()
        for binding_id in self.settings.keys:
            if binding_id not in known:
                line = self.settings.key_lines.get(binding_id)
                problems.append(f"{path}{f':{line}' if line else ''}: [keys] no binding has "
                                f"the id {binding_id!r} (press ? for the keys)")
        if problems:
            self.notify("\n".join(problems), title="Settings not applied",
                        severity="warning", timeout=12)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Show a toast. Never as markup: messages quote item titles and tag names."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def warn_store_problems(self) -> None:
        """Damage the store worked around (a skipped journal line…): said once the
        store is read (MainScreen calls this)."""
        for note in self.store.notes:
            self.notify(note, title="Store converted", timeout=15)
        problems = self.store.problems()
        if problems:
            self.notify("\n".join(problems) + "\n`newsdesk doctor` explains more.",
                        title="Store needs attention", severity="warning", timeout=15)

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
               TagEditorScreen, HelpScreen, ConfirmScreen, PromptScreen)
    return {b.id for cls in classes for b in cls.BINDINGS if isinstance(b, Binding) and b.id}


def make_app(store: Store, settings: Settings | None = None) -> NewsdeskApp:
    """Build the app over ``store`` (tests inject their own store and settings here)."""
    return NewsdeskApp(store, settings)


def run(store: Store, settings: Settings | None = None) -> int:
    """Run the TUI in this terminal until the user quits; returns the process exit code.

    With no theme in ``settings`` the terminal decides (``tui.theme.auto_theme``);
    ``settings.mouse`` False leaves mouse events, and so text selection, to the terminal.
    ``store`` may be opened with ``load=False``: the app then paints first and reads
    the items in a worker; a StoreError from that read is raised here, after the
    terminal is restored.
    """
    settings = settings or Settings()
    if settings.theme is None:
        settings = dataclasses.replace(settings, theme=auto_theme())
    app = make_app(store, settings)
    app.run(mouse=settings.mouse)
    if app.load_error is not None:
        raise app.load_error
    return 0
