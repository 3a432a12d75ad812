"""DetailView: the right (or lower) pane, the full text of one item and its metadata."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from store.text import sanitize, sanitize_line

Span = tuple[int, int]
_WEB_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f-\x9f]+")
_GROUP_LABEL = {"topics": "topic", "people": "person", "places": "place", "orgs": "org"}


@dataclass(frozen=True)
class Detail:
    """What the detail pane shows; the screen builds it from the store."""

    item_id: str
    title: str
    body: str
    source: str
    topics: Sequence[str] = ()
    tags: Sequence[str] = ()
    highlights: Sequence[Span] = field(default_factory=tuple)
    reasons: Sequence[tuple[str, str, Sequence[Span]]] = ()
    """Why the item is where it is: (group, node, body spans of the words)."""
    extra: Sequence[tuple[str, str]] = ()


class DetailView(VerticalScroll):
    """Scrollable full text of the item under the list cursor.

    Text is untrusted: it is sanitized again here and handed to Rich as ``Text``,
    so brackets are shown literally and no control sequence reaches the terminal.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "scroll_down", "Scroll", show=False, id="detail.scroll_down"),
        Binding("k,up", "scroll_up", "Scroll", show=False, id="detail.scroll_up"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | up, k / down, j | Scroll the text. |
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.can_focus = True
        self._body = Static(Text("No item selected.", style="dim"), id="detail-body")

    def compose(self):  # noqa: ANN201 - Textual's compose protocol
        yield self._body

    def show(self, detail: Detail | None) -> None:
        """Show ``detail`` (None clears the pane) and scroll back to the top."""
        self._body.update(self.render_detail(detail))
        if self.scroll_offset.x or self.scroll_offset.y:  # else a second layout, for nothing
            self.scroll_home(animate=False)

    @staticmethod
    def render_detail(detail: Detail | None) -> Text:
        """The pane's content as Rich ``Text`` (no markup is ever parsed)."""
        if detail is None:
            return Text("No item selected.", style="dim")
        title, body = sanitize_line(detail.title), sanitize(detail.body)
        out = Text()
        lead = title.removesuffix("…")
        if not body.startswith(lead):  # a title of its own (feeds): show it above the body
            out.append(title, style="bold")
            out.append("\n\n")
        body_start = len(out)
        out.append(body)
        if body.startswith(lead):  # the title is the first sentence: make it stand out
            out.stylize("bold", body_start, body_start + len(lead))
        for _, _, spans in detail.reasons:
            for start, end in spans:
                out.stylize("underline", body_start + start, body_start + end)
        for start, end in detail.highlights:
            out.stylize("reverse bold", body_start + start, body_start + end)
        out.append("\n")
        if detail.reasons:
            out.append("\nWhy here", style="bold")
            for group, name, spans in detail.reasons:
                words = dict.fromkeys(sanitize_line(body[a:b]) for a, b in spans)
                out.append(f"\n{_GROUP_LABEL.get(group, group):<7}", style="dim")
                out.append(sanitize_line(name))
                if words:
                    out.append(" ← " + ", ".join(words), style="dim")
            out.append("\n")
        rows: list[tuple[str, str]] = [
            ("tags", ", ".join(detail.tags) or "—"),
            ("source", detail.source),
            ("id", detail.item_id),
            *detail.extra,
        ]
        for label, value in rows:
            out.append(f"\n{label:<7}", style="dim")
            value = sanitize_line(value)
            if label == "url" and _WEB_URL.fullmatch(value):
                # An OSC 8 hyperlink: clickable over SSH in terminals that support it.
                out.append(value, style=Style(link=value, underline=True))
            else:
                out.append(value)
        return out
