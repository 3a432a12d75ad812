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
    for title, bindings in sections:
        out.append(f"{title}\n", style="bold underline")
        for binding in bindings:
            if not isinstance(binding, Binding):
                continue
            out.append(f"  {_key_label(binding):<22}", style="bold")
            out.append(f"{binding.description or binding.action}\n")
        out.append("\n")
    out.append("Search language\n", style="bold underline")
    out.append(QUERY_HELP)
    return out


QUERY_HELP = """\
  words             of the title and text; all must match
  "exact phrase"    words next to each other ("or": the word)
  guarant*          a prefix
  a or b, not a, -a either, neither (any case); ( ) group
  tag:region        a tag and the tags under it
  topic:security    a topic path, or any part of it
  subject: feed:    a discovered subject, a feed
  person: place: org:  People / Places / Organisations
  title: source: id:  only in that field
  date:2025-02  date:>2025-01-01  before:2025-03-01  after:2025-01-01
  is:tagged is:untagged is:read is:unread
"""


class HelpScreen(ModalScreen[None]):
    """Lists every binding; Esc, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close"),
    ]

    def __init__(self, sections: list[tuple[str, Iterable[BindingType]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-panel") as panel:
            panel.border_title = "Keys — Esc closes"
            yield Static(bindings_text(self.sections), id="help-text")
