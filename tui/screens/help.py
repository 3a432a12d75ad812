"""HelpScreen: every key binding of every pane, generated from the bindings themselves."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


def _key_label(binding: Binding) -> str:
    names = {"question_mark": "?", "slash": "/", "full_stop": ".", "asterisk": "*",
             "exclamation_mark": "!", "left_square_bracket": "[",
             "right_square_bracket": "]"}
    return ", ".join(names.get(k.strip(), k.strip()) for k in binding.key.split(","))


def bindings_text(sections: Iterable[tuple[str, Iterable[BindingType]]]) -> Text:
    """A plain-text table of bindings grouped by pane (built from the classes' BINDINGS)."""
    out = Text()
    sections = [(title, [b for b in bindings if isinstance(b, Binding)])
                for title, bindings in sections]
    # The key column as wide as the longest key label (up to 14): fits 60 columns.
    width = min(14, max((len(_key_label(b)) for _, bs in sections for b in bs), default=8))
    for title, bindings in sections:
        out.append(f"{title}\n", style="bold underline")
        for binding in bindings:
            out.append(f"  {_key_label(binding):<{width}} ", style="bold")
            out.append(f"{binding.description or binding.action}\n")
        out.append("\n")
    out.append("Search language\n", style="bold underline")
    out.append(QUERY_HELP)
    return out


QUERY_HELP = """\
  words           of the title and text, all of them
  "a phrase"      words next to each other
  guarant*        a prefix
  a or b, not a   either, neither (any case; -a too)
  "or"            the word itself; ( ) groups
  tag:region      a tag and the tags under it
  topic:security  a topic path, or any part of it
  subject: feed:  a discovered subject, a feed
  person: place: org:  People, Places, Organisations
  title: source: id:   only in that field
  date:2025-02  date:>2025-01-01
  before:2025-03-01  after:2025-01-01
  is:tagged is:untagged is:read is:unread
"""


class HelpScreen(ModalScreen[None]):
    """Lists every binding; j/k (and the arrows, page keys) scroll; Esc, q or ? closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close"),
        Binding("j,down", "scroll(1)", "Scroll down", show=False, id="help.down"),
        Binding("k,up", "scroll(-1)", "Scroll up", show=False, id="help.up"),
        Binding("space,pagedown", "scroll(0)", "Page down", show=False, id="help.page"),
    ]

    def __init__(self, sections: list[tuple[str, Iterable[BindingType]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-panel") as panel:
            panel.border_title = "Keys — Esc closes"
            yield Static(bindings_text(self.sections), id="help-text")

    def action_scroll(self, step: int) -> None:
        """Scroll the keys a line (``step`` 1 or -1) or a page (0)."""
        panel = self.query_one("#help-panel", VerticalScroll)
        if step == 0:
            panel.scroll_page_down(animate=False)
        else:
            panel.scroll_relative(y=step, animate=False)
