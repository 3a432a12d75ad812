"""Tests for the virtual item list (tui.widgets.item_list)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.style import Style
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.strip import Strip
from textual.widgets import Static

from tui.widgets.item_list import Columns, ItemList, RowData, RowStyles, render_row


class Source:
    """In-memory RowSource that counts lookups, so tests can see how much is fetched."""

    def __init__(self, rows: dict[str, RowData] | None = None) -> None:
        self.rows = rows or {}
        self.calls = 0

    def row(self, item_id: str) -> RowData:
        self.calls += 1
        return self.rows.get(item_id) or RowData(f"Title {item_id}", unread=False)


class ListApp(App[None]):
    """Hosts one ItemList and records the messages it posts."""

    def __init__(self, source: Source, ids: Sequence[str], **list_args: object) -> None:
        super().__init__()
        self.source = source
        self.ids = list(ids)
        self.list_args = list_args
        self.highlighted: list[tuple[str | None, int]] = []
        self.selected: list[tuple[str | None, int]] = []

    def compose(self) -> ComposeResult:
        yield ItemList(self.source, id="items", **self.list_args)  # type: ignore[arg-type]

    def on_mount(self) -> None:
        items = self.query_one(ItemList)
        items.set_rows(self.ids)
        items.focus()

    def on_item_list_highlighted(self, message: ItemList.Highlighted) -> None:
        self.highlighted.append((message.item_id, message.index))

    def on_item_list_selected(self, message: ItemList.Selected) -> None:
        self.selected.append((message.item_id, message.index))


def screen_lines(items: ItemList) -> list[Strip]:
    """Every line the widget draws for its current viewport."""
    return [items.render_line(y) for y in range(items.size.height)]


def ids(count: int) -> list[str]:
    return [f"i{n}" for n in range(count)]


async def test_100k_rows_first_frame_is_quick_and_lazy() -> None:
    class Generated(Source):
        def row(self, item_id: str) -> RowData:
            self.calls += 1
            return RowData(f"Headline {item_id}", tags=("eu",), date="2025-02-17")

    source = Generated()
    app = ListApp(source, [])
    async with app.run_test(size=(100, 30)) as pilot:
        items = app.query_one(ItemList)
        items.set_rows(ids(100_000))  # its time: bench/limits.py ("item list: N rows")
        await pilot.pause()
        lines = screen_lines(items)
        assert "Headline i0 " in lines[0].text
        assert "Headline i29 " in lines[29].text
        # The vertical scrollbar is showing: rows still span the full content width.
        assert items.scrollable_content_region.width < items.size.width
        assert all(line.cell_length == items.size.width for line in lines)
        assert items.virtual_size.height == 100_000
        assert items.border_title == "Items (100,000)"
        # Only what is on screen was fetched, not 100,000 rows (ListView, which builds
        # a widget per row, needed 48 s for 10k).
        assert source.calls <= 2 * items.size.height
        await pilot.press("G")
        assert items.cursor == 99_999
        assert "Headline i99999 " in items.render_line(items.size.height - 1).text
        assert source.calls <= 4 * items.size.height


@pytest.mark.slow
async def test_navigation_keys_move_cursor_and_post_highlighted() -> None:
    app = ListApp(Source(), ids(200))
    async with app.run_test(size=(60, 12)) as pilot:
        items = app.query_one(ItemList)
        await pilot.pause()
        assert app.highlighted == [("i0", 0)]
        page = items.scrollable_content_region.height
        await pilot.press("j", "j", "down", "k")
        assert items.cursor == 2
        await pilot.press("pagedown")
        assert items.cursor == 2 + page
        await pilot.press("pageup")
        assert items.cursor == 2
        await pilot.press("end")
        assert items.cursor == 199
        await pilot.press("home")
        assert items.cursor == 0
        await pilot.press("G", "g")
        await pilot.pause()
        assert app.highlighted == [
            ("i0", 0),
            ("i1", 1),
            ("i2", 2),
            ("i3", 3),
            ("i2", 2),
            (f"i{2 + page}", 2 + page),
            ("i2", 2),
            ("i199", 199),
            ("i0", 0),
            ("i199", 199),
            ("i0", 0),
        ]
        # At the top already: no movement, so no new message.
        await pilot.press("k", "up", "home")
        await pilot.pause()
        assert app.highlighted[-1] == ("i0", 0) and len(app.highlighted) == 11


async def test_cursor_stays_visible_and_enter_selects() -> None:
    app = ListApp(Source(), ids(500))
    async with app.run_test(size=(60, 8)) as pilot:
        items = app.query_one(ItemList)
        await pilot.press("pagedown", "pagedown", "pagedown")
        items.cursor = 27
        await pilot.press("j", "j", "j")
        top = items.scroll_offset.y
        assert top <= 30 < top + items.scrollable_content_region.height
        assert "Title i30 " in items.render_line(30 - top).text
        await pilot.press("enter")
        await pilot.pause()
        assert app.selected == [("i30", 30)]


async def test_cursor_move_repaints_only_two_lines() -> None:
    class CountingList(ItemList):
        drawn: list[int] = []

        def render_line(self, y: int) -> Strip:
            self.drawn.append(y)
            return super().render_line(y)

    class CountingApp(ListApp):
        def compose(self) -> ComposeResult:
            yield CountingList(self.source, id="items")

    app = CountingApp(Source(), ids(1000))
    async with app.run_test(size=(60, 20)) as pilot:
        items = app.query_one(CountingList)
        await pilot.pause()
        items.drawn.clear()
        await pilot.press("j")
        await pilot.pause()
        assert sorted(items.drawn) == [0, 1]


async def test_set_rows_keeps_cursor_on_same_item() -> None:
    app = ListApp(Source(), ids(50))
    async with app.run_test(size=(60, 12)) as pilot:
        items = app.query_one(ItemList)
        items.cursor = 10
        await pilot.pause()
        # i10 moves to index 0 when the list is reversed: the cursor follows it.
        items.set_rows(["i10", *[f"i{n}" for n in range(9, -1, -1)]])
        await pilot.pause()
        assert items.cursor == 0 and items.current_id == "i10"
        assert app.highlighted[-1] == ("i10", 10)  # same item: no new Highlighted
        # The item disappears: the index is clamped and the new item is announced.
        items.set_rows(["a", "b", "c"])
        await pilot.pause()
        assert items.cursor == 0 and app.highlighted[-1] == ("a", 0)
        items.cursor = 2
        items.set_rows(["x", "y"])
        await pilot.pause()
        assert items.cursor == 1 and app.highlighted[-1] == ("y", 1)
        items.set_rows(["q", "x", "y"], keep_cursor=False)
        await pilot.pause()
        assert items.cursor == 0 and app.highlighted[-1] == ("q", 0)
        items.set_rows([])
        await pilot.pause()
        assert items.current_id is None and app.highlighted[-1] == (None, -1)
        assert items.border_title == "Items (0)"
        await pilot.press("j", "enter", "space", "asterisk")  # nothing to act on
        assert app.is_running and not items.marked


async def test_marks_and_border_title() -> None:
    app = ListApp(Source(), ids(1234))
    async with app.run_test(size=(60, 12)) as pilot:
        items = app.query_one(ItemList)
        assert items.border_title == "Items (1,234)"
        await pilot.press("space")
        assert set(items.marked) == {"i0"} and items.cursor == 1
        assert items.border_title == "Items (1,234 · 1 marked)"
        assert items.render_line(0).text.startswith("● Title i0")
        assert items.render_line(1).text.startswith("  Title i1")
        await pilot.press("space", "k", "space")  # marks i1, then unmarks it again
        assert set(items.marked) == {"i0"}
        await pilot.press("asterisk")
        assert len(items.marked) == 1234
        assert items.border_title == "Items (1,234 · 1,234 marked)"
        assert all(line.text.startswith("●") for line in screen_lines(items))
        await pilot.press("exclamation_mark")
        assert not items.marked and items.border_title == "Items (1,234)"
        items.toggle_mark("i5")
        items.toggle_mark("i7")
        items.toggle_mark("not-listed")
        # Marks on items that leave the list are dropped with them.
        items.set_rows(["i5", "i6"])
        assert set(items.marked) == {"i5"}
        assert items.border_title == "Items (2 · 1 marked)"
        items.clear_marks()
        assert items.border_title == "Items (2)"
        items.set_label("[b]Topic[/b] \x1b[2J")  # topic names come from item text
        assert items.border_title == "\\[b]Topic\\[/b] [2J (2)"
        assert items._border_title is not None
        assert items._border_title.plain == "[b]Topic[/b] [2J (2)"


async def test_hostile_text_is_literal_and_inert() -> None:
    hostile = {
        "click": ("[@click=app.quit]Read more[/]", "[@click=app.quit]Read more[/]"),
        "link": ("[link=http://x]y[/link]", "[link=http://x]y[/link]"),
        "osc52": ("\x1b]52;c;aGk=\x07", "]52;c;aGk="),
        "clear": ("\x1b[2J", "[2J"),
        "title": ("\x1b]0;pwned\x07", "]0;pwned"),
        "bold": ("[bold]not bold[/bold]\tand\nmore\u202e", "[bold]not bold[/bold] and more"),
    }
    rows = {
        key: RowData(title, tags=("[red]t[/]", "\x1b[31m"), date="\x9b2J")
        for key, (title, _) in hostile.items()
    }
    app = ListApp(Source(rows), list(hostile))
    async with app.run_test(size=(100, 12)) as pilot:
        items = app.query_one(ItemList)
        await pilot.pause()
        lines = screen_lines(items)
        for line, (_, expected) in zip(lines, hostile.values(), strict=False):
            assert line.text.startswith("  " + expected + " ")
            assert "[red]t[/],[31m" in line.text
            for segment in line:
                assert not any(ch in segment.text for ch in "\x1b\x07\x9b\t\n\u202e")
                style = segment.style or Style()
                assert not style.link and "@click" not in style.meta
        # Clicking the [@click=app.quit] row and opening it must not quit.
        await pilot.click(ItemList, offset=(5, 0))
        await pilot.press("enter")
        await pilot.click(ItemList, offset=(8, 1))
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert app.selected == [("click", 0)]
        assert items.cursor == 1


async def test_click_moves_cursor_and_double_click_selects() -> None:
    app = ListApp(Source(), ids(100))
    async with app.run_test(size=(60, 12)) as pilot:
        items = app.query_one(ItemList)
        await pilot.click(ItemList, offset=(3, 4))
        assert items.cursor == 4 and not app.selected
        await pilot.double_click(ItemList, offset=(3, 6))
        await pilot.pause()
        assert items.cursor == 6 and app.selected[-1] == ("i6", 6)


WIDE_TITLES = [
    "Plain ASCII headline that is long enough to be truncated at narrow widths",
    "中文新闻标题：东京股市大幅上涨，日经指数创下历史新高，投资者信心增强",
    "日本語のニュース見出し、とても長いタイトルです",
    "Emoji 🎉🚀🔥 party 👨‍👩‍👧 family ❤️ heart 🇺🇦 flag",
    "عنوان إخباري باللغة العربية عن الاقتصاد والسياسة",
    "כותרת חדשותית בעברית על הבחירות",
    "Combining: e\u0301 a\u0308 Zalgo z\u0336\u0335a\u0334",
    "한국어 뉴스 제목 mixed with English and 中文",
    "x",
    "",
]


async def test_wide_and_rtl_text_keeps_columns_aligned() -> None:
    rows = {
        f"w{n}": RowData(title, tags=("TAGX", "b"), date="2025-02-17", highlights=((0, 3),))
        for n, title in enumerate(WIDE_TITLES)
    }
    app = ListApp(Source(rows), list(rows))
    async with app.run_test(size=(80, 16)) as pilot:
        for width in (80, 61, 47, 33, 20):
            await pilot.resize_terminal(width, 16)
            await pilot.pause()
            items = app.query_one(ItemList)
            columns = items.columns
            assert columns.tags, "tag column expected at these widths"
            offsets = set()
            for strip in screen_lines(items)[: len(rows)]:
                assert strip.cell_length == items.size.width
                text = strip.text
                assert cell_len(text) == items.size.width
                offsets.add(cell_len(text[: text.index("TAGX")]))
            assert offsets == {columns.tags_offset}


@pytest.mark.slow
async def test_zero_and_tiny_widths_do_not_crash() -> None:
    class SqueezeApp(ListApp):
        CSS = """
        #wide { width: 100%; }
        ItemList { height: auto; max-height: 100%; border: round $accent; }
        """

        def compose(self) -> ComposeResult:
            with Horizontal():
                yield Static("x" * 200, id="wide")
                yield ItemList(self.source, id="items")

    rows = {"a": RowData("中文标题🎉", tags=("t",), date="2025-01-01", unread=True)}
    app = SqueezeApp(Source(rows), ["a", "b", "c"])
    async with app.run_test(size=(80, 24)) as pilot:
        items = app.query_one(ItemList)
        await pilot.pause()
        assert items.size.width == 0
        for strip in screen_lines(items):
            assert strip.cell_length == 0
        await pilot.press("j", "pagedown", "space", "G", "enter")
        app.query_one("#wide").styles.width = "auto"
        app.query_one("#wide").display = False
        for width in (1, 2, 3, 4, 5, 6, 7, 9, 12, 19, 25):
            items.styles.width = width
            await pilot.pause()
            assert items.size.width == max(0, width - 2)  # minus the border
            for strip in screen_lines(items):
                assert strip.cell_length == items.size.width
        assert app.is_running
    # A whole terminal of one cell.
    app = ListApp(Source(rows), ["a", "b"])
    async with app.run_test(size=(1, 1)) as pilot:
        await pilot.press("j", "k", "space")
        assert app.is_running


async def test_unread_rows_are_bold_and_matches_are_marked() -> None:
    rows = {
        "new": RowData("Unread headline", unread=True, highlights=((7, 15),)),
        "old": RowData("Read headline"),
        "ctl": RowData("\x1b[1mBig news", highlights=((4, 7),)),  # span shifts after sanitize
    }
    app = ListApp(Source(rows), ["old", "new", "ctl"])
    async with app.run_test(size=(60, 8)) as pilot:
        await pilot.pause()
        items = app.query_one(ItemList)

        def styles_of(line: Strip, word: str) -> list[Style]:
            return [s.style or Style() for s in line if word in s.text]

        old, new, ctl = (items.render_line(y) for y in range(3))
        assert all(style.bold for style in styles_of(new, "Unread"))
        assert not any(style.bold for style in styles_of(old, "Read headline"))
        match = styles_of(new, "headline")
        assert match and all(s.bold and s.underline for s in match)
        assert ctl.text.startswith("  [1mBig news")
        assert any(s.text == "Big" and s.style and s.style.underline for s in ctl)


async def test_refresh_rows_redraws_only_named_rows() -> None:
    source = Source({"i1": RowData("One")})
    app = ListApp(source, ids(10))
    async with app.run_test(size=(60, 12)) as pilot:
        items = app.query_one(ItemList)
        await pilot.pause()
        calls = source.calls
        source.rows["i1"] = RowData("One", tags=("tagged",))
        source.rows["i2"] = RowData("Two, changed behind the list's back")
        items.refresh_rows(["i1"])
        await pilot.pause()
        assert source.calls == calls + 1
        assert "tagged" in items.render_line(1).text
        assert "changed" not in items.render_line(2).text
        items.refresh_rows()
        await pilot.pause()
        assert "changed" in items.render_line(2).text


async def test_bindings_have_ids_and_keymap_overrides_them() -> None:
    assert all(
        binding.id and binding.id.startswith("item_list.")
        for binding in ItemList.BINDINGS
        if not isinstance(binding, tuple)
    )
    assert all(not isinstance(binding, tuple) for binding in ItemList.BINDINGS)
    app = ListApp(Source(), ids(10))
    async with app.run_test(size=(60, 12)) as pilot:
        app.set_keymap({"item_list.cursor_down": "n"})
        await pilot.press("n", "n", "j")
        assert app.query_one(ItemList).cursor == 2


ROW_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from("中文한국어🎉👨‍👩‍👧❤️\ufe0f\u200d\u0301عبר\t\n\x1b"),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(
    title=ROW_TEXT,
    tags=st.lists(ROW_TEXT, max_size=3),
    date=st.one_of(st.none(), ROW_TEXT),
    spans=st.lists(st.tuples(st.integers(-2, 45), st.integers(-2, 45)), max_size=3),
    width=st.integers(0, 100),
    marked=st.booleans(),
)
def test_render_row_always_fills_its_columns(
    title: str,
    tags: list[str],
    date: str | None,
    spans: list[tuple[int, int]],
    width: int,
    marked: bool,
) -> None:
    plain = Style()
    styles = RowStyles(plain, Style(bold=True), Style(underline=True), Style(dim=True), plain)
    columns = Columns.for_width(width, tag_width=18, date_width=10)
    assert columns.width == width
    data = RowData(title, tags=tags, date=date, highlights=spans)
    strip = render_row(data, marked=marked, columns=columns, styles=styles)
    assert strip.cell_length == width
    assert sum(cell_len(segment.text) for segment in strip) == width
    # Column edges fall on segment boundaries: the title never bleeds into the tags.
    edges, position = {0}, 0
    for segment in strip:
        position += cell_len(segment.text)
        edges.add(position)
    assert columns.marker + columns.title in edges
    if columns.tags:
        assert columns.tags_offset in edges
