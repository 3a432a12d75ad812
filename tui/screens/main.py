"""MainScreen: the three panes — topic tree, item list, detail — and what links them.

The screen only routes: a tree choice becomes a list of ids (``store.tree.select``),
a list cursor move becomes a detail (``tui.rows.detail_for``). Logic that a test
should reach lives in ``store``.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Horizontal
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer

from store.desk import Store
from store.tree import ALL, NodeKey, build_tree, select
from tui.rows import StoreRows, detail_for
from tui.widgets.detail_view import DetailView
from tui.widgets.item_list import ItemList
from tui.widgets.topic_tree import TopicTree

NARROW_WIDTH = 100
"""Below this many columns the detail pane moves under the list."""


class MainScreen(Screen[None]):
    """The browser: tree on the left, list and detail on the right."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "app.focus_next", "Next pane", show=False, id="main.focus_next"),
        Binding("shift+tab", "app.focus_previous", "Previous pane", show=False,
                id="main.focus_previous"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | tab / shift+tab | Move to the next / previous pane. |
    """

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.node_key: NodeKey = ALL
        self.node_label = "All items"

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            yield TopicTree(id="tree")
            with Container(id="content"):
                yield ItemList(StoreRows(self.store), id="items")
                yield DetailView(id="detail")
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

    def on_mount(self) -> None:
        self.tree.border_title = "Topics"
        self.detail.border_title = "Detail"
        self.tree.show_nodes(build_tree(self.store.items(), self.store.tags_of))
        self._show_node(ALL, "All items")
        self.item_list.focus()

    def _on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < NARROW_WIDTH, "-narrow")

    def _show_node(self, key: NodeKey, label: str) -> None:
        self.node_key, self.node_label = key, label
        ids = select(key, self.store.items(), self.store.tags_of)
        self.item_list.set_rows(ids, keep_cursor=False)
        self.item_list.set_label(label)
        self.detail.show(detail_for(self.store, self.item_list.current_id))

    @on(TopicTree.Chosen)
    def _tree_chosen(self, event: TopicTree.Chosen) -> None:
        if event.key[0] != "group" or event.key[1] in ("Topics", "Tags"):
            if event.key != self.node_key:
                self._show_node(event.key, event.label)
        if event.enter:
            self.item_list.focus()

    @on(ItemList.Highlighted)
    def _item_highlighted(self, event: ItemList.Highlighted) -> None:
        self.detail.show(detail_for(self.store, event.item_id))
