"""TagEditorScreen: type tags, comma-separated, with fuzzy completion from existing tags.

``name`` adds, ``-name`` removes. Tab (or Enter on a highlighted suggestion that
is not yet typed out) accepts a completion; up/down choose among them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from store import TagNameError, complete_tag, parse_tag_edit, sanitize_line

TagEdit = tuple[list[str], list[str]]


def current_token(text: str) -> tuple[str, str]:
    """Split the input into (everything before the tag being typed, that tag)."""
    head, _, token = text.rpartition(",")
    return (head + ", " if head else ""), token.strip()


class TagEditorScreen(ModalScreen[TagEdit | None]):
    """Edits the tags of one item or of the marked items; returns (add, remove)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="tag_editor.cancel"),
        Binding("tab", "complete", "Complete", priority=True, id="tag_editor.complete"),
        Binding("down", "suggestion(1)", "Next", show=False, priority=True,
                id="tag_editor.next"),
        Binding("up", "suggestion(-1)", "Previous", show=False, priority=True,
                id="tag_editor.previous"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | tab | Accept the highlighted completion. |
    | up / down | Choose a completion. |
    | enter | Apply. |
    | escape | Cancel. |
    """

    def __init__(self, title: str, known: Sequence[str], current: Sequence[str] = (),
                 partial: Sequence[tuple[str, int]] = (), of: int = 1) -> None:
        """``current``: the tags every item being edited has; ``partial``: those only
        some of the ``of`` items have, with how many."""
        super().__init__()
        self.title_text = title
        self.known = list(known)
        self.current = list(current)
        self.partial = list(partial)
        self.of = of

    def compose(self) -> ComposeResult:
        with Vertical(id="tag-panel") as panel:
            panel.border_title = self.title_text
            yield Static(self._now_text(), id="tag-current")
            yield Input(placeholder="tag, other/tag, -removed", id="tag-input")
            yield OptionList(id="tag-suggestions")
            yield Static("", id="tag-error")

    def _now_text(self) -> Text:
        """What the items carry now: all of them, and (several items) some of them."""
        now = ", ".join(sanitize_line(t) for t in self.current) or "none"
        if self.of == 1:
            return Text(f"Tags now: {now}", style="dim")
        out = Text(f"All {self.of} have: {now}", style="dim")
        if self.partial:
            some = ", ".join(f"{sanitize_line(t)} ({n} of {self.of})" for t, n in self.partial)
            out.append(f" · some have: {some}")
        return out

    def on_mount(self) -> None:
        self._suggest("")

    @property
    def _input(self) -> Input:
        return self.query_one("#tag-input", Input)

    @property
    def _options(self) -> OptionList:
        return self.query_one("#tag-suggestions", OptionList)

    def _suggest(self, text: str) -> None:
        _, token = current_token(text)
        token = token.lstrip("+-").strip()
        names = complete_tag(token, self.known)
        if token and names and names[0].casefold() == token.casefold() and len(names) == 1:
            names = []
        options = self._options
        options.clear_options()
        options.add_options([Option(Text(sanitize_line(n)), id=n) for n in names])
        options.display = bool(names)
        if names:
            options.highlighted = 0

    @on(Input.Changed, "#tag-input")
    def _changed(self, event: Input.Changed) -> None:
        self.query_one("#tag-error", Static).update("")
        self._suggest(event.value)

    @on(Input.Submitted, "#tag-input")
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            add, remove = parse_tag_edit(event.value)
        except TagNameError as exc:
            self.query_one("#tag-error", Static).update(Text(str(exc), style="bold"))
            return
        if not add and not remove:
            self.dismiss(None)
            return
        self.dismiss((add, remove))

    @on(OptionList.OptionSelected, "#tag-suggestions")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self._accept(event.option.id or "")
        self._input.focus()

    def _accept(self, name: str) -> None:
        head, token = current_token(self._input.value)
        sign = "-" if token.startswith("-") else ""
        self._input.value = f"{head}{sign}{name}, "
        self._input.cursor_position = len(self._input.value)

    def action_complete(self) -> None:
        """Accept the highlighted completion."""
        options = self._options
        if options.display and options.highlighted is not None:
            option = options.get_option_at_index(options.highlighted)
            self._accept(option.id or "")

    def action_suggestion(self, step: int) -> None:
        """Move the highlight among the completions."""
        options = self._options
        if options.display and options.option_count:
            current = options.highlighted or 0
            options.highlighted = (current + step) % options.option_count

    def action_cancel(self) -> None:
        """Close without changing anything."""
        self.dismiss(None)
