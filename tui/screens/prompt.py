"""PromptScreen: ask for one line of text, checked before it is accepted."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class PromptScreen(ModalScreen[str | None]):
    """One input line; Enter accepts (if ``check`` returns no complaint), Esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="prompt.cancel"),
        Binding("tab", "complete", "Complete", priority=True, id="prompt.complete"),
    ]

    def __init__(self, title: str, value: str = "",
                 check: Callable[[str], str | None] | None = None,
                 complete: Callable[[str], tuple[str, list[str]]] | None = None) -> None:
        """``complete``: text -> (completed text, names still matching), for Tab; it may
        read the disk, so it runs in a worker thread."""
        super().__init__()
        self.title_text = title
        self.value = value
        self.check = check
        self.complete = complete

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-panel") as panel:
            panel.border_title = self.title_text
            yield Input(self.value, id="prompt-input", select_on_focus=False)
            yield Static("", id="prompt-error")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        problem = self.check(event.value) if self.check else None
        if problem:
            self.query_one("#prompt-error", Static).update(Text(problem, style="bold"))
            return
        self.dismiss(event.value)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "complete":
            return self.complete is not None  # else Tab moves the focus as usual
        return True

    def action_complete(self) -> None:
        """Tab: complete what is typed (a path, in the import dialog)."""
        self._complete(self.query_one("#prompt-input", Input).value)

    @work(thread=True, exclusive=True, group="complete")
    def _complete(self, text: str) -> None:
        assert self.complete is not None
        completed, names = self.complete(text)
        self.app.call_from_thread(self._show_completion, text, completed, names)

    def _show_completion(self, typed: str, completed: str, names: list[str]) -> None:
        field = self.query_one("#prompt-input", Input)
        if field.value != typed:  # typed on meanwhile: this answer is stale
            return
        field.value = completed
        field.cursor_position = len(completed)
        shown = ", ".join(names[:8]) + (f" … ({len(names)})" if len(names) > 8 else "")
        self.query_one("#prompt-error", Static).update(Text(shown, style="dim"))

    def action_cancel(self) -> None:
        """Close without an answer."""
        self.dismiss(None)
