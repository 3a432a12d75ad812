"""NewsdeskApp: the Textual shell over an open store. Thin on purpose."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from store.desk import Store
from tui.config import Settings
from tui.resources import styles_dir
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.screens.tag_editor import TagEditorScreen
from tui.widgets.detail_view import DetailView
from tui.widgets.item_list import ItemList
from tui.widgets.topic_tree import TopicTree


class NewsdeskApp(App[None]):
    """Three panes over a store; see ``make_app`` to build one."""

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

    def get_default_screen(self) -> MainScreen:
        return MainScreen(self.store, self.settings)

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


def run(store: Store) -> int:
    """Run the TUI until the user quits; returns the process exit code."""
    make_app(store).run()
    return 0
