"""SearchBar: the query line above the item list, with its scope and status.

It only edits text and reports: the screen parses and searches. Each change is
debounced (``DEBOUNCE`` seconds) so typing a word runs one search, not five.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Input, Static

from store import sanitize_line

DEBOUNCE = 0.08
"""Seconds of quiet typing before a search runs (the issue allows at most 0.1)."""


class SearchBar(Vertical):
    """An input line and a status line (result count, scope, or the query's error)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Clear search", id="search.cancel"),
        Binding("ctrl+g", "toggle_scope", "Search everywhere / in node", id="search.scope"),
        Binding("ctrl+o", "toggle_order", "Relevance / original order", id="search.order"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | enter | Keep the query and go to the list. |
    | escape | Clear the query and go back to the previous view. |
    | ctrl+g | Search everything, or only the selected tree node. |
    | ctrl+o | Order by relevance, or by original order. |
    """

    everywhere: reactive[bool] = reactive(False)
    """Search every item instead of only the selected tree node."""
    by_relevance: reactive[bool] = reactive(True)
    """Best match first; False keeps the original order."""

    class Changed(Message):
        """The query settled after typing; the screen runs it."""

        def __init__(self, bar: SearchBar, query: str) -> None:
            super().__init__()
            self.bar = bar
            self.query = query

        @property
        def control(self) -> SearchBar:
            return self.bar

    class Cancelled(Message):
        """Escape: clear the query and restore the view from before the search."""

    class OptionsChanged(Message):
        """Scope or order toggled; the screen reruns the query."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Input(placeholder="search: words \"phrase\" OR -not tag: topic: person: …",
                    id="search-input")
        yield Static("", id="search-status")

    @property
    def input(self) -> Input:
        return self.query_one("#search-input", Input)

    @property
    def value(self) -> str:
        return self.input.value

    def open(self, value: str | None = None) -> None:
        """Show the bar and put the cursor in it."""
        self.display = True
        if value is not None:
            self.input.value = value
        # Focus now, not on the next loop turn (``focus()``): keys typed right after
        # "/" (a fast typist, a paste) must land in the input, not run as commands.
        self.screen.set_focus(self.input)
        self.input.cursor_position = len(self.input.value)

    def close(self) -> None:
        """Hide the bar and forget the query."""
        if self._timer is not None:
            self._timer.stop()
        self.input.value = ""
        self.display = False

    def show_status(self, text: str) -> None:
        """The line under the input: counts and scope."""
        self.query_one("#search-status", Static).update(Text(sanitize_line(text), style="dim"))

    def show_error(self, message: str, position: int) -> None:
        """Point at the problem in the query; the last good results stay on screen."""
        scroll = self.input.scroll_offset.x
        caret = " " * max(0, position - scroll)
        line = Text(f"{caret}^ {sanitize_line(message)}", style="bold")
        self.query_one("#search-status", Static).update(line)

    @on(Input.Changed, "#search-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE, lambda: self.post_message(
            self.Changed(self, self.input.value)))

    def submit(self) -> str:
        """The query as typed, for running now: a pending debounce is dropped. Enter is
        the screen's priority binding (``MainScreen.action_submit_search``), so the
        focus leaves the input before the next key is read."""
        if self._timer is not None:
            self._timer.stop()
        return self.input.value

    def action_cancel(self) -> None:
        """Clear and close."""
        self.post_message(self.Cancelled())

    def action_toggle_scope(self) -> None:
        """Switch between the selected node and everything."""
        self.everywhere = not self.everywhere
        self.post_message(self.OptionsChanged())

    def action_toggle_order(self) -> None:
        """Switch between relevance and original order."""
        self.by_relevance = not self.by_relevance
        self.post_message(self.OptionsChanged())
