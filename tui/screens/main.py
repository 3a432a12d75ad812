"""MainScreen: the three panes — topic tree, item list, detail — and what links them.

The screen only routes: a tree choice becomes a list of ids (``store.tree.select``),
a list cursor move becomes a detail (``tui.rows.detail_for``), a key becomes a
store operation. Logic that a test should reach lives in ``store``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Horizontal
from textual.events import Resize
from textual.geometry import Size
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from store.desk import Store
from store.errors import StoreError
from store.journal import Record
from store.tagnames import TagNameError, clean_tag
from store.text import sanitize_line
from store.tree import ALL, NodeKey, build_tree, select
from tui.config import Settings
from tui.rows import StoreRows, copy_text, detail_for
from tui.screens.confirm import ConfirmScreen
from tui.screens.prompt import PromptScreen
from tui.screens.tag_editor import TagEdit, TagEditorScreen
from tui.widgets.detail_view import DetailView
from tui.widgets.item_list import ItemList
from tui.widgets.topic_tree import TopicTree

NARROW_WIDTH = 100
"""Below this many columns the detail pane moves under the list."""
TREE_WIDTH = 72
"""Below this many columns the tree folds away (``[`` shows it again), so the list stays
readable; at 80 columns the tree is shown and the list keeps 58 columns."""
MIN_WIDTH, MIN_HEIGHT = 50, 14
"""Below this many columns or rows the panes give way to a "terminal too small" hint."""


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


class MainScreen(Screen[None]):
    """The browser: tree on the left, list and detail on the right."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "app.focus_next", "Next pane", show=False, id="main.focus_next"),
        Binding("shift+tab", "app.focus_previous", "Previous pane", show=False,
                id="main.focus_previous"),
        Binding("t", "tag", "Tag", id="main.tag"),
        Binding("full_stop", "repeat_tag", "Repeat tag", show=False, id="main.repeat_tag"),
        Binding("u", "undo", "Undo", id="main.undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="main.redo"),
        Binding("r", "toggle_read", "Read/unread", show=False, id="main.toggle_read"),
        Binding("e", "rename_tag", "Rename tag", id="main.rename_tag"),
        Binding("d,delete", "delete_tag", "Delete tag", id="main.delete_tag"),
        Binding("y", "copy", "Copy", id="main.copy"),
        Binding("left_square_bracket", "toggle_tree", "Show/hide tree", show=False,
                id="main.toggle_tree"),
        Binding("right_square_bracket", "toggle_detail", "Show/hide detail", show=False,
                id="main.toggle_detail"),
        Binding("z", "toggle_maximize", "Zoom pane", show=False, id="main.maximize"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | tab / shift+tab | Move to the next / previous pane. |
    | t | Tag the current item, or all marked items. |
    | . | Repeat the last tag operation on the current item. |
    | u / ctrl+r | Undo / redo a tag operation (kept across restarts). |
    | r | Toggle read / unread. |
    | e / d | On a tag in the tree: rename / delete it. |
    | y | Copy the item (or the marked items) to the clipboard, through the terminal. |
    | [ / ] | Hide or show the tree / the detail pane. |
    | z | Zoom the focused pane to the whole screen, or back (escape too). |

    None of these is a tmux or screen prefix (ctrl+b, ctrl+a); all are plain keys
    that survive any terminal and SSH.
    """

    def __init__(self, store: Store, settings: Settings | None = None) -> None:
        super().__init__()
        self.store = store
        self.settings = settings or Settings()
        self.node_key: NodeKey = ALL
        self.node_label = "All items"
        self.last_edit: TagEdit | None = None
        self._read_timer: Timer | None = None
        self._tree_choice: bool | None = None
        """The user's [ choice: shown / hidden; None: by the width (TREE_WIDTH)."""
        self._detail_shown = True

    def compose(self) -> ComposeResult:
        # Classes for the terminal's size before the panes exist: styling them once for
        # the right layout is much cheaper than restyling them all in on_mount.
        self._set_layout_classes(self.app.size)
        with Horizontal(id="panes"):
            yield TopicTree(id="tree")
            with Container(id="content"):
                yield ItemList(StoreRows(self.store), id="items")
                yield DetailView(id="detail")
        yield Static(id="too-small")
        yield Footer()

    @property
    def tree(self) -> TopicTree:
        return self.query_one(TopicTree)

    @property
    def item_list(self) -> ItemList:
        return self.query_one(ItemList)

    @property
    def detail(self) -> DetailView:
        return self.query_one(DetailView)

    # -- wiring --------------------------------------------------------------------

    def on_mount(self) -> None:
        self.tree.border_title = "Topics"
        self.detail.border_title = "Detail"
        self._fit_to(self.app.size)  # before the first frame, so it has the right layout
        self.tree.show_nodes(build_tree(self.store))
        self._show_node(ALL, "All items")
        self.item_list.focus()
        self.set_interval(self.settings.poll_interval, self._poll)

    def _on_resize(self, event: Resize) -> None:
        self._fit_to(event.size)

    def _fit_to(self, size: Size) -> None:
        """Arrange the panes for a terminal of ``size``: detail under the list when narrow,
        no tree when narrower (unless the user asked for it), a hint when too small."""
        width, height = size
        too_small = width < MIN_WIDTH or height < MIN_HEIGHT
        if self._set_layout_classes(size):
            self.update_node_styles()  # once for all the classes: each restyle costs ms
        show_tree = not self.has_class("-no-tree")
        if too_small:
            if self.maximized is not None:
                self.minimize()
            self.query_one("#too-small", Static).update(Text(
                f"Terminal too small: {width}×{height}.\n"
                f"newsdesk needs {MIN_WIDTH}×{MIN_HEIGHT}; enlarge the window, or q to quit."))
        focused = self.focused
        if focused is None and not too_small or (
            (focused is self.tree and not show_tree)
            or (focused is self.detail and not self._detail_shown)
        ):
            self.item_list.focus()

    def _set_layout_classes(self, size: Size) -> bool:
        """Set the screen's layout classes for ``size`` without restyling; True if any
        changed."""
        width, height = size
        show_tree = width >= TREE_WIDTH if self._tree_choice is None else self._tree_choice
        wanted = {"-narrow": width < NARROW_WIDTH, "-no-tree": not show_tree,
                  "-no-detail": not self._detail_shown,
                  "-too-small": width < MIN_WIDTH or height < MIN_HEIGHT}
        changed = [name for name, on in wanted.items() if self.has_class(name) != on]
        for name in changed:
            self.set_class(wanted[name], name, update=False)
        return bool(changed)

    def _show_node(self, key: NodeKey, label: str, keep_cursor: bool = False) -> None:
        self.node_key, self.node_label = key, label
        self.item_list.set_rows(select(key, self.store), keep_cursor=keep_cursor)
        self.item_list.set_label(label)
        self._show_detail(self.item_list.current_id)

    def _show_detail(self, item_id: str | None) -> None:
        self.detail.show(detail_for(self.store, item_id))
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None
        delay = self.settings.mark_read_after
        if item_id and delay is not None and not self.store.is_read(item_id):
            self._read_timer = self.set_timer(delay, lambda: self._mark_read(item_id))

    def _mark_read(self, item_id: str) -> None:
        if self.item_list.current_id == item_id and not self.store.readonly:
            self._write(lambda: self.store.set_read([item_id], True), [item_id], quiet=True)

    def _refresh_views(self, ids: Sequence[str] | None = None) -> None:
        """Redraw after a change: counts in the tree, rows, and the detail."""
        self.tree.show_nodes(build_tree(self.store))
        if self.node_key[0] in ("tag", "untagged", "unread") or self.node_key == ("group", "Tags"):
            self.item_list.set_rows(select(self.node_key, self.store), keep_cursor=True)
        self.item_list.refresh_rows(ids)
        self.detail.show(detail_for(self.store, self.item_list.current_id))

    def _poll(self) -> None:
        """Show what another session changed (cheap: a few stats when nothing did)."""
        try:
            changed = self.store.refresh()
        except StoreError as exc:
            self.notify(str(exc), severity="error", timeout=8)
            return
        if changed:
            self._refresh_views()

    def _write(self, change: Callable[[], Record | None], ids: Sequence[str] | None,
               quiet: bool = False) -> Record | None:
        """Run one store change; it is durable before anything is redrawn."""
        try:
            record = change()
        except StoreError as exc:
            self.notify(str(exc), title="Not saved", severity="error", timeout=8)
            return None
        if record is not None:
            self._refresh_views(ids)
            if not quiet and record.get("label"):
                self.notify(str(record["label"]), timeout=3)
        return record

    @on(TopicTree.Chosen)
    def _tree_chosen(self, event: TopicTree.Chosen) -> None:
        if event.key[0] != "group" or event.key[1] in ("Topics", "Tags"):
            if event.key != self.node_key:
                self._show_node(event.key, event.label)
        if event.enter:
            self.item_list.focus()

    @on(ItemList.Highlighted)
    def _item_highlighted(self, event: ItemList.Highlighted) -> None:
        self._show_detail(event.item_id)

    # -- tagging -------------------------------------------------------------------

    def _targets(self) -> list[str]:
        marked = self.item_list.marked
        if marked:
            return [i for i in self.item_list.ids if i in marked]
        current = self.item_list.current_id
        return [current] if current else []

    def action_tag(self) -> None:
        """Open the tag editor for the marked items, or the current one."""
        targets = self._targets()
        if not targets:
            self.notify("No item to tag.", severity="warning")
            return
        title = (f"Tag {_plural(len(targets), 'marked item')}" if self.item_list.marked
                 else "Tag this item")
        current = self.store.tags_of(targets[0]) if len(targets) == 1 else ()
        known = sorted(self.store.tag_counts(), key=str.casefold)
        self.app.push_screen(TagEditorScreen(title, known, current),
                             lambda edit: self._apply_edit(edit, targets))

    def _apply_edit(self, edit: TagEdit | None, targets: list[str]) -> None:
        if not edit:
            return
        add, remove = edit

        def apply() -> None:
            self.last_edit = edit
            self._write(lambda: self.store.tag(targets, add, remove), targets)

        if len(targets) > self.settings.confirm_threshold:
            parts = " ".join([f"+{a}" for a in add] + [f"-{r}" for r in remove])
            question = f"Apply {parts} to {_plural(len(targets), 'item')}?"
            self.app.push_screen(ConfirmScreen(question), lambda yes: apply() if yes else None)
        else:
            apply()

    def action_repeat_tag(self) -> None:
        """Apply the last tag edit to the current item."""
        current = self.item_list.current_id
        if self.last_edit is None or current is None:
            self.notify("Nothing to repeat yet: tag something with t first.")
            return
        add, remove = self.last_edit
        self._write(lambda: self.store.tag([current], add, remove), [current])

    def action_undo(self) -> None:
        """Undo the last tag operation."""
        if self._write(self.store.undo, None) is None:
            self.notify("Nothing to undo.")

    def action_redo(self) -> None:
        """Redo the last undone tag operation."""
        if self._write(self.store.redo, None) is None:
            self.notify("Nothing to redo.")

    def action_toggle_read(self) -> None:
        """Mark the current item (or the marked ones) read or unread."""
        targets = self._targets()
        if targets:
            read = not self.store.is_read(targets[0])
            if self._read_timer is not None:
                self._read_timer.stop()
            self._write(lambda: self.store.set_read(targets, read), targets, quiet=True)

    # -- tag nodes in the tree -----------------------------------------------------

    def _tag_under_cursor(self) -> str | None:
        node = self.tree.cursor_node
        if self.focused is self.tree and node is not None and node.data is not None:
            if node.data.key[0] == "tag":
                return node.data.key[1]
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("rename_tag", "delete_tag"):
            return self._tag_under_cursor() is not None
        return True

    def action_rename_tag(self) -> None:
        """Rename the tag under the tree cursor (merging into an existing tag)."""
        old = self._tag_under_cursor()
        if old is None:
            return

        def check(value: str) -> str | None:
            try:
                clean_tag(value)
            except TagNameError as exc:
                return str(exc)
            return None

        def done(new: str | None) -> None:
            if new and new.strip() != old:
                self._write(lambda: self.store.rename_tag(old, new), None)

        self.app.push_screen(PromptScreen(f"Rename tag {old}", old, check), done)

    def action_delete_tag(self) -> None:
        """Delete the tag under the tree cursor, after saying how many items lose it."""
        name = self._tag_under_cursor()
        if name is None:
            return
        count = len(select(("tag", name), self.store))
        question = f"Delete tag {name} (and tags under it) from {_plural(count, 'item')}?"
        self.app.push_screen(
            ConfirmScreen(question),
            lambda yes: self._write(lambda: self.store.delete_tag(name), None) if yes else None,
        )

    # -- layout and clipboard --------------------------------------------------------

    def action_toggle_tree(self) -> None:
        """Hide or show the topic tree (the choice holds until the next press)."""
        self._tree_choice = self.has_class("-no-tree")
        self._fit_to(self.size)

    def action_toggle_detail(self) -> None:
        """Hide or show the detail pane; the list takes its room."""
        self._detail_shown = not self._detail_shown
        self._fit_to(self.size)

    def action_toggle_maximize(self) -> None:
        """Zoom the focused pane to the whole screen, or back."""
        if self.maximized is not None:
            self.minimize()
        elif self.focused is not None:
            self.maximize(self.focused, container=False)

    def action_copy(self) -> None:
        """Put the marked items (or the current one) on the clipboard: title, body, id.

        It goes through the terminal (OSC 52), so it works over SSH and in tmux
        (with ``set -g set-clipboard on``), in terminals that allow it.
        """
        targets = self._targets()
        if not targets:
            self.notify("No item to copy.", severity="warning")
            return
        self.app.copy_to_clipboard(copy_text(self.store, targets))
        if len(targets) == 1:
            item = self.store.get(targets[0])
            title = sanitize_line(item["title"]) if item else targets[0]
            what = f"“{title[:40]}…”" if len(title) > 40 else f"“{title}”"
        else:
            what = _plural(len(targets), "item")
        self.notify(f"Copied {what} to the clipboard.", timeout=3)
