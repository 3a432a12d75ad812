"""One row of the item list: what it shows (``RowData``), how the width is shared out
(``Columns``) and how it is drawn (``render_row``). Pure functions of their inputs, so
alignment and sanitizing are tested without a widget; ``ItemList`` draws with them.

Item text is untrusted. Titles, tags and dates become plain ``Segment``s after
``store.text.clean.sanitize_line``; nothing is ever parsed as markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from store import sanitize_line

__all__ = ["Columns", "RowData", "RowSource", "RowStyles", "render_row", "tag_text"]

MARKED_GLYPH = "●"
"""Shown in the marker column of a marked row."""
ELLIPSIS = "…"
MIN_TITLE = 8
"""Columns to the right are dropped before the title gets narrower than this."""
MAX_TITLE_CHARS = 2048
"""Longer (hostile) titles are cut before measuring, so one row can't stall a frame."""


@dataclass(frozen=True)
class RowData:
    """What one row shows. All text is untrusted and drawn literally."""

    title: str
    tags: Sequence[str] = ()
    unread: bool = False
    date: str | None = None
    highlights: Sequence[tuple[int, int]] = ()
    """Character spans of ``title`` to highlight (search matches)."""


class RowSource(Protocol):
    """Supplies row contents, so the list never touches the store."""

    def row(self, item_id: str) -> RowData:
        """Return what to draw for ``item_id`` (called only for rows on screen)."""
        ...


@dataclass(frozen=True)
class Columns:
    """Cell widths of a row's columns; gaps of one cell precede tags and date.

    Computed from the width alone, never from a row, so every row lines up.
    """

    marker: int
    title: int
    tags: int
    date: int

    @property
    def width(self) -> int:
        """Total cells, including the gaps."""
        return self.marker + self.title + self.tags + bool(self.tags) + self.date + bool(self.date)

    @property
    def tags_offset(self) -> int:
        """Cell offset where the tag column starts."""
        return self.marker + self.title + 1

    @classmethod
    def for_width(cls, width: int, *, tag_width: int, date_width: int) -> Columns:
        """Share ``width`` out, giving up the date, then tags, then marker when cramped."""
        width = max(0, width)
        marker = 2 if width >= 6 else 0
        rest = width - marker
        date = date_width if date_width > 0 and rest >= MIN_TITLE + 1 + date_width else 0
        rest -= date + bool(date)
        tags = min(tag_width, (rest - 1) // 3) if tag_width > 0 else 0
        if tags < min(4, tag_width):  # too cramped to say anything: give it to the title
            tags = 0
        rest -= tags + bool(tags)
        return cls(marker, rest, tags, date)


class RowStyles(NamedTuple):
    """Rich styles for the parts of one row (already combined with the row's style)."""

    base: Style
    unread: Style
    match: Style
    tags: Style
    date: Style


def _remap_spans(title: str, clean: str, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Move highlight spans from ``title`` to its sanitized form ``clean``.

    ``sanitize_line`` only drops characters or swaps them 1:1, so each original
    index maps to the number of characters kept before it.
    """
    spans = list(spans)
    if clean == title or not spans:
        return [(max(0, s), min(len(clean), e)) for s, e in spans]
    offsets: list[int] = []
    kept = 0
    for ch in title:
        offsets.append(kept)
        kept += len(sanitize_line(ch))
    offsets.append(kept)
    last = len(title)
    return [(offsets[min(max(0, s), last)], offsets[min(max(0, e), last)]) for s, e in spans]


def _title_segments(
    title: str, spans: Sequence[tuple[int, int]], base: Style, match: Style
) -> list[Segment]:
    """Split ``title`` into plain segments, styling the highlight spans."""
    cuts = sorted(
        {0, len(title)} | {p for s, e in spans if e > s for p in (s, e) if 0 <= p <= len(title)}
    )
    segments: list[Segment] = []
    highlighted = base + match
    for start, end in zip(cuts, cuts[1:], strict=False):
        if start == end:
            continue
        hit = any(s <= start and end <= e for s, e in spans)
        segments.append(Segment(title[start:end], highlighted if hit else base))
    return segments


def _fit(segments: list[Segment], width: int, pad_style: Style) -> list[Segment]:
    """Crop (ending in "…") or pad ``segments`` to exactly ``width`` cells.

    Cropping goes through ``Strip.crop``, which splits a double-width character
    into spaces rather than overflowing the column.
    """
    if width <= 0:
        return []
    length = sum(cell_len(segment.text) for segment in segments)
    if length <= width:
        if length < width:
            return [*segments, Segment(" " * (width - length), pad_style)]
        return segments
    head = Strip(segments, length).crop(0, width - 1)
    style = segments[-1].style if segments else pad_style
    return [*head, Segment(ELLIPSIS, style)]


def tag_text(tags: Sequence[str], width: int) -> str:
    """The tags joined by commas, stopping once more than ``width`` cells are filled: an
    item with 1,000 tags costs no more to draw than one with ten."""
    out: list[str] = []
    size = -1
    for tag in tags:
        text = sanitize_line(tag)
        out.append(text)
        size += len(text) + 1
        if size > width:
            break
    return ",".join(out)


def render_row(
    data: RowData,
    *,
    marked: bool,
    columns: Columns,
    styles: RowStyles,
    width: int | None = None,
) -> Strip:
    """Draw one row as a strip of exactly ``width`` (default ``columns.width``) cells.

    Cells beyond the columns (under a vertical scrollbar) are blank. Pure (no
    widget state), so alignment can be property-tested on its own.
    """
    base = styles.base
    segments: list[Segment] = []
    if columns.marker:
        glyph = MARKED_GLYPH if marked else " "
        segments.append(Segment(glyph.ljust(columns.marker), base))
    if columns.title:
        raw = data.title[:MAX_TITLE_CHARS]
        title = sanitize_line(raw)
        spans = _remap_spans(raw, title, data.highlights) if data.highlights else []
        title_style = styles.unread if data.unread else base
        segments += _fit(
            _title_segments(title, spans, title_style, styles.match), columns.title, base
        )
    if columns.tags:
        tags = tag_text(data.tags, columns.tags)
        segments.append(Segment(" ", base))
        segments += _fit([Segment(tags, styles.tags)] if tags else [], columns.tags, base)
    if columns.date:
        date = sanitize_line(data.date or "")
        segments.append(Segment(" ", base))
        segments += _fit([Segment(date, styles.date)] if date else [], columns.date, base)
    total = columns.width if width is None else width
    if total > columns.width:
        segments.append(Segment(" " * (total - columns.width), base))
    elif total < columns.width:
        return Strip(segments, columns.width).crop(0, total)
    return Strip(segments, total)
