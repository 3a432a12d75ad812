"""Made for SSH: small and odd terminals, few colours, no mouse, wide and hostile text (Pilot)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len

from store.desk import Store
from tui.app import NewsdeskApp, make_app
from tui.cli import main
from tui.config import Settings, load_settings
from tui.screens.help import HelpScreen
from tui.screens.main import MIN_HEIGHT, MIN_WIDTH, MainScreen
from tui.theme import ANSI_THEME, DEFAULT_THEME, UnknownTheme, auto_theme, resolve_theme
from tui.widgets.detail_view import DetailView
from tui.widgets.item_list import ItemList


@pytest.fixture
def store(store_dir: Path) -> Store:
    return Store.open(store_dir)


def screen_lines(app: NewsdeskApp) -> list[str]:
    """The screen as text, one string per line (what a terminal would show)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def screen_text(app: NewsdeskApp) -> str:
    return "\n".join(screen_lines(app))


def main_screen(app: NewsdeskApp) -> MainScreen:
    assert isinstance(app.screen, MainScreen)
    return app.screen


# -- sizes ---------------------------------------------------------------------------


@pytest.mark.slow
async def test_60_columns_fold_the_tree_away_and_keys_bring_it_back(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        screen = main_screen(app)
        assert not screen.tree.display
        assert screen.item_list.outer_size.width == 60
        assert "All items (30)" in screen_text(app)
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert screen.tree.display and "Topics" in screen_text(app)
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert not screen.tree.display


async def test_80_columns_keep_the_tree_and_put_the_detail_below(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = main_screen(app)
        assert screen.tree.display and screen.has_class("-narrow")
        assert screen.detail.region.y > screen.item_list.region.y
        assert screen.detail.region.x == screen.item_list.region.x


@pytest.mark.slow
@pytest.mark.parametrize("size", [(49, 24), (80, 13), (40, 12), (20, 5), (1, 1)])
async def test_too_small_shows_a_hint_and_growing_restores_the_panes(
    store: Store, size: tuple[int, int]
) -> None:
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("j")
        await pilot.resize_terminal(*size)
        await pilot.pause()
        lines = screen_lines(app)
        assert len(lines) == size[1]
        assert all(cell_len(line) == size[0] for line in lines)
        if size[0] >= 40 and size[1] >= 5:
            assert "Terminal too small" in "\n".join(lines)
        await pilot.press("j")  # nothing breaks; nothing moves unseen either
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        screen = main_screen(app)
        assert "Terminal too small" not in screen_text(app)
        assert app.focused is screen.item_list
        assert screen.item_list.cursor == 1
        assert "All items (30)" in screen_text(app)


async def test_the_smallest_usable_size_shows_the_panes(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(MIN_WIDTH, MIN_HEIGHT)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Terminal too small" not in text and "All items (30)" in text


@pytest.mark.slow
async def test_hiding_the_detail_and_zooming_the_focused_pane(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main_screen(app)
        await pilot.press("tab")
        assert app.focused is screen.detail
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert not screen.detail.display
        assert app.focused is screen.item_list  # focus never stays on a hidden pane
        await pilot.press("right_square_bracket", "z")
        await pilot.pause()
        assert screen.maximized is screen.item_list
        assert screen.item_list.outer_size.width == 120
        await pilot.press("z")
        await pilot.pause()
        assert screen.maximized is None
        await pilot.press("z", "escape")
        await pilot.pause()
        assert screen.maximized is None


async def test_the_help_screen_survives_a_tiny_terminal(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert all(cell_len(line) == 40 for line in screen_lines(app))


# -- copy ----------------------------------------------------------------------------


@pytest.mark.slow
async def test_copy_puts_title_body_and_id_on_the_clipboard(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("j", "y")
        await pilot.pause()
        item = store.get(store.ids()[1])
        assert item is not None
        assert app.clipboard.startswith(item["body"])
        assert app.clipboard.rstrip().endswith(f"id {item['id']}")
        assert any("Copied “The Russian Foreign" in n.message for n in app._notifications)
        await pilot.press("space", "space", "y")  # two marked items
        await pilot.pause()
        assert app.clipboard.count("\nid ") == 2
        assert any("Copied 2 items" in n.message for n in app._notifications)


async def test_notifications_never_parse_markup(store: Store) -> None:
    app = make_app(store)
    async with app.run_test() as pilot:
        main_screen(app).notify("tag [@click=app.quit]x[/] added")
        await pilot.pause()
        assert all(not n.markup for n in app._notifications)
        assert app.is_running


# -- colours -------------------------------------------------------------------------


def test_theme_names_and_aliases() -> None:
    assert resolve_theme("ansi") == ANSI_THEME
    assert resolve_theme("Nord") == "nord"
    with pytest.raises(UnknownTheme, match="choose one of: ansi"):
        resolve_theme("no-such-theme")


@pytest.mark.parametrize(("env", "theme"), [
    ({"TERM": "xterm-256color"}, DEFAULT_THEME),
    ({"TERM": "tmux-256color"}, DEFAULT_THEME),
    ({"TERM": "xterm"}, ANSI_THEME),
    ({"TERM": "screen"}, ANSI_THEME),
    ({"TERM": "tmux"}, ANSI_THEME),
    ({"TERM": "linux"}, ANSI_THEME),
    ({"TERM": "screen", "COLORTERM": "truecolor"}, DEFAULT_THEME),
    ({"TERM": "xterm", "TEXTUAL_COLOR_SYSTEM": "256"}, DEFAULT_THEME),
])
def test_the_terminal_chooses_the_theme_when_the_user_does_not(
    env: dict[str, str], theme: str
) -> None:
    assert auto_theme(env) == theme


async def test_the_app_takes_the_theme_and_has_no_animations(store: Store) -> None:
    app = make_app(store, Settings(theme="ansi"))
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.theme == ANSI_THEME
        assert app.animation_level == "none"


async def test_no_color_keeps_cursor_marks_and_matches_visible(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.no_color
        items = app.screen.query_one(ItemList)
        cursor = items._rich_style("item-list--cursor")
        assert cursor.reverse and cursor.bold
        assert items._rich_style("item-list--marked").bold
        match = items._rich_style("item-list--match")
        assert match.underline and match.bold
        await pilot.press("shift+tab")
        await pilot.pause()
        tree = main_screen(app).tree
        assert tree.get_component_rich_style("tree--cursor").reverse
        blurred = items._rich_style("item-list--cursor")
        assert blurred.underline and not blurred.reverse  # visible without focus too


# -- settings and the command line ---------------------------------------------------


def test_config_file_sets_theme_and_mouse(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('theme = "ansi"\nmouse = false\n', encoding="utf-8")
    settings = load_settings(path)
    assert settings.theme == "ansi" and settings.mouse is False
    missing = load_settings(tmp_path / "missing.toml")
    assert missing.problems == [] and missing.theme is None and missing.mouse is True
    path.write_text("mouse = 'no'\n", encoding="utf-8")
    wrong = load_settings(path)  # a bad value falls back to its default, with the line
    assert wrong.mouse is True and str(wrong.problems[0]).startswith(f"{path}:1: mouse")


def test_unknown_theme_is_a_usage_error(
    store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert main(["--store", str(store_dir), "--theme", "neon"]) == 2
    err = capsys.readouterr().err
    assert "unknown theme 'neon'" in err and "ansi" in err and "--theme" in err
    config = tmp_path / "cfg"
    config.mkdir()
    (config / "config.toml").write_text('mouse = true\ntheme = "neon"\n', encoding="utf-8")
    monkeypatch.setenv("NEWSDESK_CONFIG_DIR", str(config))
    # From the file it is not fatal: the app starts on the default theme and says why.
    started: list = []
    monkeypatch.setattr("tui.app.run", lambda store, settings: started.append(settings) or 0)
    assert main(["--store", str(store_dir)]) == 0
    (settings,) = started
    assert settings.theme is None
    assert any("config.toml:2: unknown theme 'neon'" in str(p) for p in settings.problems)


def test_flags_override_the_config_file(
    store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "cfg"
    config.mkdir()
    (config / "config.toml").write_text('theme = "nord"\nmouse = true\n', encoding="utf-8")
    monkeypatch.setenv("NEWSDESK_CONFIG_DIR", str(config))
    seen: list[Settings] = []
    monkeypatch.setattr("tui.app.run", lambda store, settings: seen.append(settings) or 0)
    assert main(["--store", str(store_dir), "--theme", "ansi", "--no-mouse"]) == 0
    assert seen[0].theme == ANSI_THEME and seen[0].mouse is False
    assert main(["--store", str(store_dir)]) == 0
    assert seen[1].theme == "nord" and seen[1].mouse is True


# -- wide and right-to-left text -----------------------------------------------------

WIDE = [
    "東京で首脳会談が開かれ、安全保障について合意した。詳細は後日発表される。",
    "🚀🛰️ Launch of a new satellite 🌍 for NATO surveillance 🇺🇦 announced today.",
    "서울에서 열린 회의에서 한국과 일본이 협력을 약속했다.",
    "שר החוץ הודיע על הסכם חדש עם ירדן. ההסכם ייחתם בשבוע הבא.",
    "وزير الخارجية أعلن عن اتفاق جديد. سيتم التوقيع الأسبوع المقبل.",
    "Plain ASCII brief about the summit in Brussels, for comparison.",
]


@pytest.mark.slow
async def test_wide_and_rtl_text_keeps_every_pane_aligned(
    store_dir: Path, tmp_path: Path
) -> None:
    store = Store.open(store_dir, seed=False)
    src = tmp_path / "wide.txt"
    src.write_text("\n".join(WIDE), encoding="utf-8")
    assert store.import_files([src]).added == len(WIDE)
    store.state.tag(store.ids()[:3], ["地域/東アジア", "🌏-watch"], [])
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = main_screen(app)
        await pilot.press("shift+tab")
        for _ in range(12):  # down the tree, expanding what opens: tags show too
            await pilot.press("down", "right")
        await pilot.press(*["up"] * 30, "enter")  # back to All items, in the list
        for _ in range(len(WIDE)):
            await pilot.pause()
            lines = screen_lines(app)
            assert all(cell_len(line) == 100 for line in lines)
            # Every pane's right border stays in its column on every row.
            for pane in (screen.tree, screen.item_list, screen.detail):
                region = pane.region
                edge = region.right - 1
                for y in range(region.y, region.bottom):
                    line = lines[y]
                    cells = 0
                    for ch in line:
                        if cells == edge:
                            assert ch in "│╮╯┤", (y, line)
                            break
                        cells += cell_len(ch)
            await pilot.press("j")
        assert "東京で首脳会談" in screen_text(app) or "🚀" in screen_text(app)


async def test_detail_view_is_a_plain_line_widget(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        detail = app.screen.query_one(DetailView)
        assert "Zelenskyy is offering" in detail.plain
        await pilot.press("tab")
        assert app.focused is detail
