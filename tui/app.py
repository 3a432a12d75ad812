"""NewsdeskApp: the Textual shell over an open store. Thin on purpose."""

from __future__ import annotations

import gc
import os
from dataclasses import replace
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel

from store.desk import Store
from tui.config import Settings
from tui.resources import styles_dir
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.screens.tag_editor import TagEditorScreen
from tui.theme import DEFAULT_THEME, auto_theme, resolve_theme
from tui.widgets.detail_view import DetailView
from tui.widgets.item_list import ItemList
from tui.widgets.topic_tree import TopicTree


class NewsdeskApp(App[None]):
    """Three panes over a store; see ``make_app`` to build one.

    Made for terminals over SSH: no animations (every frame costs bytes), the
    theme suits the terminal's colours, notifications never parse markup (they
    quote item titles and tag names), and ``run`` can leave the mouse alone.
    """

    CSS_PATH = str(styles_dir() / "app.tcss")
    TITLE = "newsdesk"
    ENABLE_COMMAND_PALETTE = False

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
        self.theme = resolve_theme(self.settings.theme or DEFAULT_THEME)
        if "TEXTUAL_ANIMATIONS" not in os.environ:
            # Smooth scrolling and fades are many frames of output on a slow link.
            self.animation_level = "none"
        if os.environ.get("TERM") == "linux":
            # The console's font has square corners (┌┐) but no round ones (╭╮).
            self.add_class("-linux-console")

    def get_default_screen(self) -> MainScreen:
        return MainScreen(self.store, self.settings)

    def on_mount(self) -> None:
        self.call_after_refresh(self._after_first_frame)

    def _after_first_frame(self) -> None:
        # The CLI switches the garbage collector off for start-up; what exists now lives
        # as long as the app, so freeze it out of future collections and turn them on.
        if not gc.isenabled():
            gc.freeze()
            gc.enable()

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

    def action_help(self) -> None:
        """Open the help screen listing every binding."""
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen([
            ("Everywhere", self.BINDINGS + MainScreen.BINDINGS),
            ("Topic tree", TopicTree.BINDINGS),
            ("Item list", ItemList.BINDINGS),
            ("Detail", DetailView.BINDINGS),
            ("Tag editor", TagEditorScreen.BINDINGS),
        ]))


def make_app(store: Store, settings: Settings | None = None) -> NewsdeskApp:
    """Build the app over ``store`` (tests inject their own store and settings here)."""
    return NewsdeskApp(store, settings)


def run(store: Store, settings: Settings | None = None) -> int:
    """Run the TUI in this terminal until the user quits; returns the process exit code.

    With no theme in ``settings`` the terminal decides (``tui.theme.auto_theme``);
    ``settings.mouse`` False leaves mouse events, and so text selection, to the terminal.
    """
    settings = settings or Settings()
    if settings.theme is None:
        settings = replace(settings, theme=auto_theme())
    make_app(store, settings).run(mouse=settings.mouse)
    return 0
