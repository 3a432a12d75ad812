"""The middle pane: a virtual list of news items drawn with Textual's line API.

Collections can hold 100,000 items, so there is no widget per row: the list keeps
only the item ids and, for the handful of rows on screen, asks a ``RowSource`` what
to draw. Rendered rows are cached as ``Strip``s per item id and dropped precisely
(``refresh_rows``), so moving the cursor repaints two lines and costs no work
proportional to the collection.

Item text is untrusted. Titles, tags and dates become plain ``Segment``s after
``store.text.clean.sanitize_line``; nothing is ever parsed as markup, so a title like
``[@click=app.quit]x[/]`` is shown literally and cannot trigger an action.
"""

from __future__ import annotations

from collections.abc import Collection, MutableSequence, Sequence
from collections.abc import Set as AbstractSet
from typing import ClassVar

from rich.cells import cell_len
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from store import sanitize_line
from tui.widgets.item_row import Columns, RowData, RowSource, RowStyles, render_row, tag_text

__all__ = ["Columns", "ItemList", "RowData", "RowSource", "RowStyles", "render_row"]

class _Entry:
    """Cached row data for one item id plus its strips, keyed by how it was drawn."""

    __slots__ = ("data", "strips")

    def __init__(self, data: RowData) -> None:
        self.data = data
        self.strips: dict[tuple[object, ...], Strip] = {}


class ItemList(ScrollView, can_focus=True):
    """A keyboard-first virtual list of news items with a cursor and marks.

    Handles any number of rows: only visible lines are drawn and each drawn row is
    cached per item id.
    """

    ALLOW_SELECT = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="item_list.cursor_up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="item_list.cursor_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="item_list.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="item_list.page_down"),
        Binding("home,g", "first", "First", show=False, id="item_list.first"),
        Binding("end,G", "last", "Last", show=False, id="item_list.last"),
        Binding("enter", "select", "Open", id="item_list.select"),
        Binding("space", "toggle_mark", "Mark", id="item_list.toggle_mark"),
        Binding("*", "mark_all", "Mark all", show=False, id="item_list.mark_all"),
        Binding("!", "clear_marks", "Clear marks", show=False, id="item_list.clear_marks"),
    ]
    """
    | Key(s) | Binding id | Description |
    | :- | :- | :- |
    | up, k | `item_list.cursor_up` | Move the cursor up. |
    | down, j | `item_list.cursor_down` | Move the cursor down. |
    | pageup | `item_list.page_up` | Scroll and move the cursor up a page. |
    | pagedown | `item_list.page_down` | Scroll and move the cursor down a page. |
    | home, g | `item_list.first` | Move the cursor to the first item. |
    | end, G | `item_list.last` | Move the cursor to the last item. |
    | enter | `item_list.select` | Select (open) the item under the cursor. |
    | space | `item_list.toggle_mark` | Toggle the mark on the item, then move down. |
    | * | `item_list.mark_all` | Mark every item in the list. |
    | ! | `item_list.clear_marks` | Clear all marks. |

    ctrl+a and ctrl+b are left alone: they are common tmux prefixes.
    """

    DEFAULT_CSS = """
    ItemList {
        overflow-x: hidden;
        overflow-y: auto;
        & > .item-list--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
        }
        &:focus > .item-list--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
        }
        & > .item-list--marked { color: $accent; }
        & > .item-list--unread { text-style: bold; }
        & > .item-list--match { text-style: bold underline; }
        & > .item-list--tags { color: $text-muted; }
        & > .item-list--date { color: $text-muted; }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "item-list--cursor",
        "item-list--marked",
        "item-list--unread",
        "item-list--match",
        "item-list--tags",
        "item-list--date",
    }
    """
    | Class | Description |
    | :- | :- |
    | `item-list--cursor` | The row under the cursor. |
    | `item-list--marked` | Marked rows. |
    | `item-list--unread` | The title of an unread row (bold by default). |
    | `item-list--match` | Search matches in a title (bold underline: visible in monochrome). |
    | `item-list--tags` | The tag column. |
    | `item-list--date` | The date column. |
    """

    cursor: reactive[int] = reactive(0, repaint=False, init=False)
    """Index of the row under the cursor (0 when the list is empty)."""

    class ItemMessage(Message):
        """Base for messages about one item of an ItemList."""

        def __init__(self, item_list: ItemList, item_id: str | None, index: int) -> None:
            super().__init__()
            self.item_list = item_list
            """The list that sent the message."""
            self.item_id = item_id
            """The item's id."""
            self.index = index
            """The item's row index."""

        @property
        def control(self) -> ItemList:
            """The list that sent the message (used by the ``on`` decorator)."""
            return self.item_list

    class Highlighted(ItemMessage):
        """The cursor landed on a different item.

        Handled by ``on_item_list_highlighted``. Posted only when the item id under
        the cursor changes; ``item_id`` is ``None`` (and ``index`` -1) when the list
        becomes empty, so a preview pane can clear itself.
        """

    class Selected(ItemMessage):
        """The user chose the item under the cursor (enter or double click).

        Handled by ``on_item_list_selected``.
        """

    def __init__(
        self,
        source: RowSource,
        *,
        label: str = "Items",
        tag_width: int = 24,
        date_width: int = 10,
        show_tags: bool | None = None,
        show_dates: bool | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        """Create an empty list; fill it with ``set_rows``.

        Args:
            source: Supplies what to draw for an item id.
            label: Word shown in the border title before the count.
            tag_width: Maximum cells of the tag column (it is only as wide as the
                tags of the rows drawn since the last ``set_rows`` need, 0 for none).
            date_width: Cells of the date column.
            show_tags: Force the tag column on/off; ``None`` shows it once a row
                with tags has been seen (checked for visible rows only).
            show_dates: Same as ``show_tags``, for the date column.
        """
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._source = source
        self._label = sanitize_line(label)
        self._tag_width = tag_width
        self._date_width = date_width
        self._show_tags = show_tags
        self._show_dates = show_dates
        self._tags_need = 0
        """Cells the tags of the rows drawn since ``set_rows`` need (at most tag_width)."""
        self._seen_dates = False
        self._ids: Sequence[str] = []
        self._marked: set[str] = set()
        self._highlighted_id: str | None = None
        self._cache: LRUCache[str, _Entry] = LRUCache(2048)
        self._columns_cache: tuple[tuple[int, int, int], Columns] | None = None
        self._title_text = ""
        self._row_styles_cache: dict[tuple[tuple[str, ...], Style], RowStyles] = {}

    @property
    def source(self) -> RowSource:
        """The row source; assigning one redraws every row."""
        return self._source

    @source.setter
    def source(self, source: RowSource) -> None:
        self._source = source
        self.refresh_rows()

    @property
    def ids(self) -> Sequence[str]:
        """The item ids in display order (do not mutate; use ``set_rows``)."""
        return self._ids

    @property
    def item_count(self) -> int:
        """Number of rows."""
        return len(self._ids)

    @property
    def current_id(self) -> str | None:
        """Id of the item under the cursor, or ``None`` when the list is empty."""
        return self._ids[self.cursor] if self._ids else None

    @property
    def marked(self) -> AbstractSet[str]:
        """Ids of marked items (read-only view; use the mark methods to change it)."""
        return self._marked

    @property
    def columns(self) -> Columns:
        """Column layout for the current width (cached; recomputed on resize)."""
        width = max(0, self.scrollable_content_region.width)
        if self._show_tags is None:
            tags = self._tags_need
        else:
            tags = self._tag_width if self._show_tags else 0
        dates = self._date_width if self._dates_visible else 0
        key = (width, tags, dates)
        if self._columns_cache is None or self._columns_cache[0] != key:
            columns = Columns.for_width(width, tag_width=tags, date_width=dates)
            self._columns_cache = (key, columns)
        return self._columns_cache[1]

    @property
    def _tags_visible(self) -> bool:
        return self._tags_need > 0 if self._show_tags is None else self._show_tags

    @property
    def _dates_visible(self) -> bool:
        return self._seen_dates if self._show_dates is None else self._show_dates

    def set_label(self, label: str) -> None:
        """Change the word(s) before the count in the border title (e.g. a topic name).

        Topic and tag names come from item text, so the label is sanitized and
        never parsed as markup.
        """
        self._label = sanitize_line(label)
        self._update_title()

    def set_rows(self, ids: Sequence[str], *, keep_cursor: bool = True) -> None:
        """Replace the rows (after a filter, search or sort).

        With ``keep_cursor`` the cursor follows its item if it is still listed,
        else stays at the same index (clamped). Marks on items no longer listed
        are dropped, so bulk actions never reach items the user can't see.
        Cached rows are discarded: highlights usually change with the list.
        """
        old_id = self.current_id
        old_index = self.cursor
        # a list is copied (the caller may change it); any other sequence is kept, so a
        # lazy one (the preview's 300,000 ids) is never read whole
        keep = isinstance(ids, Sequence) and not isinstance(ids, MutableSequence)
        self._ids = ids if keep else list(ids)
        if self._marked:
            present = set(self._ids)
            self._marked.intersection_update(present)
        self._cache.clear()
        self._tags_need, self._seen_dates = 0, False
        self.virtual_size = Size(0, len(self._ids))
        if keep_cursor and old_id is not None:
            try:
                index = self._ids.index(old_id)
            except ValueError:
                index = old_index
        else:
            index = 0
            if self.is_mounted:
                self.scroll_to(y=0, animate=False, force=True)
        self.set_reactive(ItemList.cursor, self.validate_cursor(index))
        self.refresh()
        self.scroll_to_cursor()
        self._update_title()
        self._post_highlighted()

    def refresh_rows(self, ids: Collection[str] | None = None) -> None:
        """Redraw rows whose data changed (e.g. after tagging), or all rows if ``ids`` is None."""
        if ids is None:
            self._cache.clear()
            self.refresh()
            return
        if isinstance(ids, str):
            ids = (ids,)
        for item_id in ids:
            self._cache.discard(item_id)
        wanted = ids if isinstance(ids, AbstractSet) else set(ids)
        for index in self._visible_range():
            if self._ids[index] in wanted:
                self.refresh_line(index)

    def move_to(self, item_id: str) -> bool:
        """Put the cursor on ``item_id``; returns False if it is not listed."""
        try:
            self.cursor = self._ids.index(item_id)
        except ValueError:
            return False
        return True

    def toggle_mark(self, item_id: str | None = None) -> None:
        """Mark or unmark ``item_id`` (default: the item under the cursor).

        An explicit id that is not listed is ignored (checking costs one scan).
        """
        if item_id is None:
            item_id = self.current_id
        elif item_id not in self._marked and item_id not in self._ids:
            return
        if item_id is None:
            return
        if item_id in self._marked:
            self._marked.discard(item_id)
        else:
            self._marked.add(item_id)
        for index in self._visible_range():
            if self._ids[index] == item_id:
                self.refresh_line(index)
        self._update_title()

    def mark_all(self) -> None:
        """Mark every item in the list."""
        self._marked.update(self._ids)
        self.refresh()
        self._update_title()

    def clear_marks(self) -> None:
        """Unmark everything."""
        if self._marked:
            self._marked.clear()
            self.refresh()
            self._update_title()

    def scroll_to_cursor(self) -> None:
        """Scroll the least distance that makes the cursor row visible (no animation)."""
        if not self.is_mounted or not self._ids or self.scrollable_content_region.height <= 0:
            return
        self.scroll_to_region(
            Region(0, self.cursor, 1, 1),
            animate=False,
            force=True,
            x_axis=False,
            immediate=True,
        )

    def render_lines(self, crop: Region) -> list[Strip]:
        """Fetch the visible rows first, so a column that appears does so for the whole frame."""
        if self._show_tags is None or not self._dates_visible:
            before = (self._tags_need, self._seen_dates)
            for index in self._visible_range():
                self._entry(self._ids[index])
            if (self._tags_need, self._seen_dates) != before:
                self.refresh()  # rows outside ``crop`` were drawn with the old layout
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        """Draw screen line ``y``: exactly ``self.size.width`` cells."""
        width = self.size.width
        if width <= 0:
            return Strip([], 0)
        index = self.scroll_offset.y + y
        if not 0 <= index < len(self._ids):
            return Strip.blank(width, self.visual_style.rich_style)
        item_id = self._ids[index]
        is_cursor = index == self.cursor
        is_marked = item_id in self._marked
        row_classes = self._row_classes(is_cursor, is_marked)
        base = self._rich_style(*row_classes)
        columns = self.columns
        entry = self._entry(item_id)
        key = (width, columns, base, is_marked)
        strip = entry.strips.get(key)
        if strip is None:
            styles = self._row_styles(row_classes, base)
            strip = render_row(
                entry.data, marked=is_marked, columns=columns, styles=styles, width=width
            ).simplify()  # same-style neighbours joined: fewer style codes sent per row
            if len(entry.strips) >= 8:
                entry.strips.clear()
            entry.strips[key] = strip
        return strip

    def notify_style_update(self) -> None:
        """Theme or CSS changed: every cached row has stale colours."""
        super().notify_style_update()
        self._cache.clear()
        self._row_styles_cache.clear()

    def validate_cursor(self, cursor: int) -> int:
        """Keep the cursor on a row (0 for an empty list)."""
        return max(0, min(cursor, len(self._ids) - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        """Repaint just the two affected lines; scrolling repaints the rest if needed."""
        self._refresh_index(old)
        self._refresh_index(new)
        self.scroll_to_cursor()
        self._post_highlighted()

    def _on_mount(self, _event: events.Mount) -> None:
        self._update_title()

    def _on_resize(self, _event: events.Resize) -> None:
        self._cache.clear()  # every strip has the old width
        self.scroll_to_cursor()

    def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = self.scroll_offset.y + offset.y
        if 0 <= index < len(self._ids):
            self.cursor = index
            if event.chain == 2:
                self.action_select()

    def _entry(self, item_id: str) -> _Entry:
        """Row data for ``item_id``, from the cache or the source."""
        entry = self._cache.get(item_id)
        if entry is None:
            entry = _Entry(self._source.row(item_id))
            self._cache[item_id] = entry
            data = entry.data
            if data.tags and self._tags_need < self._tag_width:
                need = cell_len(tag_text(data.tags, self._tag_width))
                self._tags_need = max(self._tags_need, min(need, self._tag_width))
            if data.date and not self._seen_dates:
                self._seen_dates = True
        return entry

    @staticmethod
    def _row_classes(is_cursor: bool, is_marked: bool) -> tuple[str, ...]:
        if is_cursor:
            return (
                ("item-list--marked", "item-list--cursor") if is_marked else ("item-list--cursor",)
            )
        return ("item-list--marked",) if is_marked else ()

    def _rich_style(self, *component_classes: str) -> Style:
        """The Rich style of these component classes over the widget's style.

        Textual 8.2's ``get_visual_style`` drops ``text-style: reverse``, which the
        stylesheet uses to keep the cursor visible when NO_COLOR strips the colours;
        it is put back here from the component styles.
        """
        style = self.get_visual_style(*component_classes).rich_style
        if component_classes and any(
            self.get_component_styles(name).text_style.reverse for name in component_classes
        ):
            style += Style(reverse=True)
        return style

    def _row_styles(self, row_classes: tuple[str, ...], base: Style) -> RowStyles:
        """Styles for the parts of a row; keyed by ``base`` too, which changes with focus."""
        key = (row_classes, base)
        styles = self._row_styles_cache.get(key)
        if styles is None:

            def part(name: str) -> Style:
                return self._rich_style(*row_classes, name)

            styles = RowStyles(
                base,
                part("item-list--unread"),
                part("item-list--match"),
                part("item-list--tags"),
                part("item-list--date"),
            )
            self._row_styles_cache[key] = styles
        return styles

    def _visible_range(self) -> range:
        """Row indexes currently on screen."""
        top = self.scroll_offset.y
        height = self.scrollable_content_region.height
        return range(max(0, top), max(0, min(len(self._ids), top + height)))

    def _refresh_index(self, index: int) -> None:
        if index in self._visible_range():
            self.refresh_line(index)

    def _post_highlighted(self) -> None:
        """Tell the app about the item under the cursor, if it changed."""
        item_id = self.current_id
        if item_id != self._highlighted_id:
            self._highlighted_id = item_id
            index = self.cursor if item_id is not None else -1
            self.post_message(self.Highlighted(self, item_id, index))

    def _update_title(self) -> None:
        """Show the count (and marks) in the border title; only when it changed,
        because setting a border title repaints the whole widget."""
        text = f"{self._label} ({len(self._ids):,}"
        if self._marked:
            text += f" · {len(self._marked):,} marked"
        text += ")"
        if text != self._title_text:
            self._title_text = text
            self.border_title = Content(text)  # Content: never parsed as markup

    def _move_page(self, direction: int) -> None:
        page = max(1, self.scrollable_content_region.height)
        if self.is_mounted:
            self.scroll_to(y=self.scroll_y + direction * page, animate=False, force=True)
        self.cursor += direction * page

    def action_cursor_up(self) -> None:
        """Move the cursor up one row."""
        self.cursor -= 1

    def action_cursor_down(self) -> None:
        """Move the cursor down one row."""
        self.cursor += 1

    def action_page_up(self) -> None:
        """Scroll up a page, keeping the cursor at the same place on screen."""
        self._move_page(-1)

    def action_page_down(self) -> None:
        """Scroll down a page, keeping the cursor at the same place on screen."""
        self._move_page(1)

    def action_first(self) -> None:
        """Move the cursor to the first row."""
        self.cursor = 0

    def action_last(self) -> None:
        """Move the cursor to the last row."""
        self.cursor = len(self._ids) - 1

    def action_select(self) -> None:
        """Post ``Selected`` for the item under the cursor."""
        if self._ids:
            self.post_message(self.Selected(self, self._ids[self.cursor], self.cursor))

    def action_toggle_mark(self) -> None:
        """Toggle the mark on the current item and move down, for quick runs of marks."""
        self.toggle_mark()
        self.cursor += 1

    def action_mark_all(self) -> None:
        """Mark every item in the list."""
        self.mark_all()

    def action_clear_marks(self) -> None:
        """Unmark everything."""
        self.clear_marks()
