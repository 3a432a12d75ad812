"""DetailView: the right (or lower) pane, the full text of one item and its metadata.

A line-API widget: the text is wrapped once per width into ``Strip``s, and showing
another item repaints only the screen lines whose content changed. Over a slow
SSH link a cursor move in the list then costs a few hundred bytes here, not a
repaint (often two, after the relayout a growing text causes) of the whole pane.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from store import sanitize, sanitize_line

Span = tuple[int, int]
_WEB_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f-\x9f]+")
_GROUP_LABEL = {"topics": "topic", "subjects": "subject", "people": "person", "places": "place",
                "orgs": "org"}

MARGIN = 1
"""Blank cells left of the text (drawn in the strips, see ``_wrap``)."""


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


BODY_SHOWN = 20_000
"""Characters of the text the pane lays out: a 1 MB item would take Textual half a
minute to wrap, and no one reads that much in a pane. The rest is reported, never
silently dropped (``newsdesk export`` writes it all)."""


TITLE_SHOWN = 500
"""Titles are shortened on import; one stored before that is cut here."""


def _shortened(detail: Detail) -> Detail:
    """``detail`` with its text cut after BODY_SHOWN characters (at a space) and a note
    saying how much is not shown; spans past the cut are dropped."""
    if len(detail.title) > TITLE_SHOWN:
        detail = dataclasses.replace(detail, title=detail.title[:TITLE_SHOWN - 1] + "…")
    if len(detail.body) <= BODY_SHOWN:
        return detail
    cut = detail.body.rfind(" ", BODY_SHOWN - 200, BODY_SHOWN)
    cut = cut if cut > 0 else BODY_SHOWN
    rest = len(detail.body) - cut
    body = (f"{detail.body[:cut]} …\n\n[{rest:,} more characters are not shown here; "
            "`newsdesk export` writes the whole text]")

    def keep(spans: Sequence[Span]) -> tuple[Span, ...]:
        return tuple((a, b) for a, b in spans if b <= cut)

    return dataclasses.replace(detail, body=body, highlights=keep(detail.highlights),
                               reasons=[(g, n, keep(s)) for g, n, s in detail.reasons])


class DetailView(ScrollView, can_focus=True):
    """Scrollable full text of the item under the list cursor.

    Text is untrusted: it is sanitized again here and handed to Rich as ``Text``,
    so brackets are shown literally and no control sequence reaches the terminal.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "scroll_down", "Scroll", show=False, id="detail.scroll_down"),
        Binding("k,up", "scroll_up", "Scroll", show=False, id="detail.scroll_up"),
        Binding("escape,q", "screen.close_item", "Back to the list", id="detail.back"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | up, k / down, j | Scroll the text. |
    | escape, q | Back to the list (from an item opened with Enter). |
    """

    DEFAULT_CSS = """
    DetailView {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = self.render_detail(None)
        self._lines: list[Strip] = []
        """The wrapped text, one strip per line, each exactly the wrap width."""
        self._wrapped_for: tuple[int, Style] | None = None

    @property
    def text(self) -> Text:
        """What the pane shows (for tests and for copying), before wrapping."""
        return self._text

    @property
    def plain(self) -> str:
        """The shown text as a plain string."""
        return self._text.plain

    def show(self, detail: Detail | None) -> None:
        """Show ``detail`` (None clears the pane) and scroll back to the top."""
        self._text = self.render_detail(detail)
        if self.scroll_y:
            self.scroll_to(y=0, animate=False, immediate=True)
        self._rewrap()

    @staticmethod
    def render_detail(detail: Detail | None) -> Text:
        """The pane's content as Rich ``Text`` (no markup is ever parsed)."""
        if detail is None:
            return Text("No item selected.", style="dim")
        detail = _shortened(detail)
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
        # Right under the text: the id people copy for the CLI, then Why here as one
        # compact paragraph, so both are in view without scrolling in a short pane.
        out.append("\n\nid     ", style="dim")
        out.append(sanitize_line(detail.item_id))
        if detail.reasons:
            out.append("\nWhy here ", style="bold")
            for n, (group, name, spans) in enumerate(detail.reasons):
                words = dict.fromkeys(sanitize_line(body[a:b]) for a, b in spans)
                if n:
                    out.append(" · ", style="dim")
                out.append(f"{_GROUP_LABEL.get(group, group)} ", style="dim")
                out.append(sanitize_line(name))
                if words:
                    out.append(" ← " + ", ".join(words), style="dim")
        out.append("\n")
        rows: list[tuple[str, str]] = [
            ("tags", ", ".join(detail.tags) or "—"),
            ("source", detail.source),
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

    def render_line(self, y: int) -> Strip:
        """Screen line ``y``: the wrapped line under it, or blank."""
        width = self.size.width
        index = self.scroll_offset.y + y
        base = self.rich_style
        if 0 <= index < len(self._lines):
            line = self._lines[index]
            return line if line.cell_length == width else line.adjust_cell_length(width, base)
        return Strip.blank(width, base)

    def notify_style_update(self) -> None:
        """Theme or CSS changed: the strips carry the old colours."""
        super().notify_style_update()
        self._wrapped_for = None
        self._rewrap()

    def _on_resize(self, _event: events.Resize) -> None:
        self._rewrap()

    def _wrap(self, width: int, base: Style) -> list[Strip]:
        """One strip per line. The left margin is part of each strip rather than CSS
        padding, so it merges with the text into one segment: fewer style codes sent."""
        console = self.app.console
        margin = Segment(" " * MARGIN, base)
        strips = []
        for line in self._text.wrap(console, max(1, width - MARGIN), overflow="fold"):
            segments = [margin, *Segment.apply_style(line.render(console, end=""), base)]
            strips.append(Strip(segments).adjust_cell_length(width, base).simplify())
        return strips

    def _rewrap(self) -> None:
        """Wrap the text for the current width; repaint only lines that changed.

        The virtual height never drops below the pane's height, so a shorter or
        longer text that still fits changes no size and causes no relayout.
        """
        if not self.is_mounted:
            return
        region = self.scrollable_content_region
        width = region.width
        if width <= 0:
            self._lines = []
            return
        base = self.rich_style
        old = self._lines if self._wrapped_for == (width, base) else None
        self._lines = self._wrap(width, base)
        self._wrapped_for = (width, base)
        virtual = Size(width, max(len(self._lines), region.height))
        if old is None or virtual != self.virtual_size:
            self.virtual_size = virtual
            self.refresh()
            return
        top = self.scroll_offset.y
        for index in range(top, top + region.height):
            line = self._lines[index] if index < len(self._lines) else None
            before = old[index] if index < len(old) else None
            if line != before:
                self.refresh_line(index)
