"""config.toml: values, problems with their lines, defaults, and the keymap in the app."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

from store.desk import Store
from tui.app import binding_ids, make_app
from tui.config import COLUMNS, Settings, config_file, find_line, load_settings, to_toml
from tui.screens.tag_editor import TagEditorScreen
from tui.widgets.item_list import ItemList


def write(text: str) -> Path:
    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def messages(settings: Settings) -> list[str]:
    return [f"{p.line}: {p.message}" for p in settings.problems]


def test_no_file_means_defaults_and_no_problems() -> None:
    settings = load_settings()
    assert settings.problems == []
    assert (settings.store, settings.theme, settings.mouse, settings.columns) == (
        None, None, True, COLUMNS)
    assert settings.path == config_file()


def test_every_setting(tmp_path: Path) -> None:
    write(f'''
store = "{tmp_path}/news"
theme = "nord"
mouse = false
columns = ["date", "title"]
confirm_threshold = 5
mark_read_after = false
poll_interval = 2

[keys]
"main.tag" = "T"
main.undo = "U, ctrl+z"
''')
    s = load_settings()
    assert s.problems == []
    assert s.store == tmp_path / "news" and s.theme == "nord" and s.mouse is False
    assert s.columns == ("title", "date")
    assert (s.confirm_threshold, s.mark_read_after, s.poll_interval) == (5, None, 2.0)
    assert s.keys == {"main.tag": "T", "main.undo": "U,ctrl+z"}
    assert s.key_lines == {"main.tag": 11, "main.undo": 12}


def test_wrong_values_name_key_and_line_and_keep_defaults() -> None:
    path = write('''# my settings
theme = "nord"
mouse = "yes"
confirm_threshold = -1
columns = ["title", "author"]
mark_read_after = true
poll_interval = 0
colour = "red"

[keys]
"main.tag" = 5
"main.undo" = "U"
''')
    s = load_settings()
    assert messages(s) == [
        "3: mouse must be true or false; using the default (true)",
        "4: confirm_threshold must be a whole number, 0 or more; using the default (20)",
        "5: columns unknown column 'author' (columns: title, tags, date); using the default "
        '(["title", "tags", "date"])',
        "6: mark_read_after must be a number of seconds, 0 or more, or false for never; using "
        "the default (2.0)",
        "7: poll_interval must be a number of seconds from 0.1 to 3600; using the default (1.0)",
        "8: unknown setting 'colour', ignored (settings: store, theme, mouse, columns, "
        "confirm_threshold, mark_read_after, poll_interval, max_item_chars, fetch_timeout, "
        "refresh_minutes, keys)",
        '11: [keys] main.tag must be a key name in quotes, like "ctrl+t" (several: "t,ctrl+t"); '
        "that binding keeps its key",
    ]
    assert str(s.problems[0]).startswith(f"{path}:3: mouse")
    # The rest still applies.
    assert s.theme == "nord" and s.keys == {"main.undo": "U"}
    assert (s.mouse, s.confirm_threshold, s.columns) == (True, 20, COLUMNS)


def test_unparsable_file_gives_tomls_position_and_all_defaults() -> None:
    path = write('theme = "nord"\nmouse = \n')
    before = (path.read_bytes(), os.stat(path).st_mtime_ns)
    s = load_settings()
    assert len(s.problems) == 1
    problem = s.problems[0]
    assert problem.line == 2
    assert "not valid TOML" in problem.message and "line 2, column" in problem.message
    assert "using the defaults for everything" in problem.message
    assert s.theme is None
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before  # never rewritten


def test_keys_must_be_a_table() -> None:
    write('keys = "T"\n')
    assert messages(load_settings()) == [
        '1: keys must be a table: [keys] then "binding.id" = "key" lines; no key was changed']


def test_find_line_by_table() -> None:
    text = 'mouse = true\n[keys]\nmouse = "m"\n"main.tag" = "T"\n[other]\nmain.tag = 1\n'
    assert find_line(text, "mouse") == 1
    assert find_line(text, "mouse", "keys") == 3
    assert find_line(text, "main.tag", "keys") == 4
    assert find_line(text, "missing") is None


def test_show_output_is_toml_that_reads_back(tmp_path: Path) -> None:
    write('mouse = false\nmark_read_after = false\n[keys]\n"main.tag" = "T"\n')
    text = to_toml(load_settings())
    data = tomllib.loads(text)
    assert data["mouse"] is False and data["mark_read_after"] is False
    assert data["keys"] == {"main.tag": "T"} and data["columns"] == list(COLUMNS)
    assert "# store is not set" in text


# -- in the app ---------------------------------------------------------------------------


@pytest.fixture
def store(store_dir: Path) -> Store:
    return Store.open(store_dir)


async def test_keymap_override_opens_the_tag_editor_on_the_new_key(store: Store) -> None:
    settings = Settings(mark_read_after=None, keys={"main.tag": "T"})
    app = make_app(store, settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        assert not isinstance(app.screen, TagEditorScreen)
        await pilot.press("T")
        await pilot.pause()
        assert isinstance(app.screen, TagEditorScreen)


async def test_config_problems_are_notified_at_start(store: Store) -> None:
    path = write('mouse = "yes"\ntheme = "no-such-theme"\n[keys]\n"main.nope" = "x"\n')
    settings = load_settings()
    app = make_app(store, settings)
    notes: list[str] = []
    app.notify = lambda message, **kw: notes.append(message)  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
    assert len(notes) == 1
    lines = notes[0].splitlines()
    assert lines[0] == f"{path}:1: mouse must be true or false; using the default (true)"
    assert lines[1].startswith(f"{path}:2: unknown theme 'no-such-theme'; choose one of: ")
    assert lines[2] == f"{path}:4: [keys] no binding has the id 'main.nope' (press ? for the keys)"


async def test_theme_and_columns_apply(store: Store) -> None:
    store.state.tag(store.ids()[:1], add=["x"])
    app = make_app(store, Settings(mark_read_after=None, theme="nord", columns=("title",)))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.theme == "nord"
        assert app.screen.query_one(ItemList).columns.tags == 0


def test_binding_ids_know_the_main_ones() -> None:
    assert {"app.quit", "app.help", "main.tag", "main.undo", "tag_editor.cancel"} <= binding_ids()
