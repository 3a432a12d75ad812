"""TopicTree: the left pane, groups and nodes with counts; moving in it filters the list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode as UINode

from store import NodeKey, TreeNode, sanitize_line

MAX_CHILDREN = 500
"""Children shown under one node (the biggest first); the rest are summed up in one
"… N more" line, so expanding a group of 100,000 tags stays instant. Search
(``tag:NAME``) reaches every one of them."""


class TopicTree(Tree[TreeNode]):
    """The store's tree (All items, Topics, Tags, Untagged …) with live counts.

    Children are added when a node is first expanded, so a group with thousands of
    tags costs nothing until it is opened. Labels are built as ``Text`` from plain
    strings: a tag or topic name is never parsed as markup.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Show items", id="tree.select"),
        Binding("space", "toggle_node", "Fold", id="tree.toggle"),
        Binding("right,l", "expand_node", "Expand", show=False, id="tree.expand"),
        Binding("left,h", "collapse_node", "Collapse", show=False, id="tree.collapse"),
        Binding("k", "cursor_up", "Up", show=False, id="tree.cursor_up"),
        Binding("j", "cursor_down", "Down", show=False, id="tree.cursor_down"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | enter | Show the node's items and move to the list. |
    | space | Fold or unfold the node. |
    | right, l / left, h | Expand / collapse the node. |
    | up, k / down, j | Move the cursor. |
    """

    class Chosen(Message):
        """The user picked a node (cursor moved onto it, or enter); the screen filters.

        Handled by ``MainScreen._tree_chosen``. With ``vanished`` the user did not move:
        a rebuild lost the chosen node and the cursor went to its nearest ancestor
        (a searching screen keeps its scope; the node returns with the next rebuild
        that has it, see ``settle``).
        """

        def __init__(self, tree: TopicTree, key: NodeKey, label: str, enter: bool,
                     vanished: bool = False) -> None:
            super().__init__()
            self.tree = tree
            self.key = key
            self.label = label
            self.enter = enter
            self.vanished = vanished

        @property
        def control(self) -> TopicTree:
            return self.tree

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("newsdesk", id=id)
        self.show_root = False
        self.auto_expand = False
        self.guide_depth = 2
        self._expanded: set[NodeKey] = {("group", "Topics"), ("group", "Tags"),
                                         ("group", "Saved searches"), ("group", "Feeds")}
        self._folded: set[NodeKey] = set()
        """Feed folders the user folded (they start open)."""
        self.nodes: list[TreeNode] = []
        """The nodes last shown, children and all (``n`` walks them for unread items)."""
        self.chosen: NodeKey | None = None
        """The node the cursor is on as far as the screen knows (its highlight is no news)."""
        self._wanted: NodeKey | None = None
        """The node the user chose: a rebuild puts the cursor back on it when it is there."""
        self._wanted_path: list[NodeKey] = []
        """Its ancestors, nearest first: where the cursor goes when it vanishes."""

    def process_label(self, label: str | Text) -> Text:  # type: ignore[override]
        """Never parse markup: a plain string becomes literal text."""
        text = Text(sanitize_line(label)) if isinstance(label, str) else label
        text.no_wrap = True
        text.overflow = "ellipsis"
        return text

    @staticmethod
    def _label(node: TreeNode) -> Text:
        label = Text(sanitize_line(node.name), style="bold" if node.key[0] == "group" else "")
        if node.error:  # a feed whose last fetch failed; the detail pane says why
            label = Text.assemble(("! ", "bold red"), label)
        return label

    def render_label(self, node: UINode[TreeNode], base_style: Style, style: Style) -> Text:
        """The name, shortened with an ellipsis if need be, and the count at the right edge,
        so a narrow tree never hides a count."""
        text = super().render_label(node, base_style, style)
        if node.data is None:
            return text
        depth, parent = 0, node.parent
        while parent is not None and parent is not self.root:
            depth, parent = depth + 1, parent.parent
        count = f" {node.data.count:,}" if node.data.count >= 0 else " …"
        if node.data.unread is not None:  # feeds: unread/items, as feed readers show them
            count = f" {node.data.unread:,}/{node.data.count:,}"
        room = self.scrollable_content_region.width - depth * self.guide_depth - len(count)
        if room > 1 and text.cell_len > room:
            text.truncate(room - 1)
            text.append("…")
        if room > 1:
            text.pad_right(room - text.cell_len)
        text.append(count, style=base_style + Style(dim=True))
        return text

    def show_nodes(self, nodes: Sequence[TreeNode]) -> None:
        """Rebuild from ``nodes``, keeping what was expanded, the chosen node and the
        scroll offset. A chosen node that is gone gives way to its nearest ancestor
        (a ``Chosen`` with ``vanished``); no other message is sent, so a rebuild (a new
        tag, an import, another session's change) never moves the user's place.

        When the nodes are the ones shown, in the same order (a tag operation or a
        read mark changed some counts), only the counts are redrawn: no rebuild and
        no layout, which at 100k items would cost more than the operation itself.
        """
        self.nodes = list(nodes)
        if self._recount(nodes):
            return
        scroll = self.scroll_y
        self.clear()
        for node in nodes:
            self._add(self.root, node)
        self._tree_lines  # noqa: B018 - lay the lines out now: each node learns its line
        wanted = self._wanted
        target = self._find(wanted) if wanted is not None else None
        vanished = False
        if target is None and wanted is not None:
            vanished = True
            target = next((found for found in map(self._find, self._wanted_path)
                           if found is not None), None)
        if target is None and self.root.children:
            target = self.root.children[0]
        if target is None or target.data is None:
            return
        key = target.data.key
        moved = key != self.chosen
        self.chosen = key  # the highlight this move causes is not a choice
        self.move_cursor(target)
        self.scroll_to(y=scroll, animate=False, immediate=True)
        self.scroll_to_node(target, animate=False)
        if vanished and moved:
            self.post_message(self.Chosen(self, key, target.data.name, False, vanished=True))

    def choose(self, key: NodeKey) -> bool:
        """Put the cursor on the node ``key`` as the screen chose it (``n`` moved there):
        no ``Chosen`` follows. False when it is not shown (under a folded group)."""
        ui = self._find(key)
        if ui is None:
            return False
        self._want(ui)
        self.move_cursor(ui)
        return True

    def settle(self) -> None:
        """Take the node under the cursor as the user's choice (after a ``vanished``
        the screen followed): a later rebuild no longer goes back to the lost one."""
        if self.cursor_node is not None and self.cursor_node.data is not None:
            self._want(self.cursor_node)

    def _want(self, ui: UINode[TreeNode]) -> None:
        if ui.data is None:
            return
        self._wanted = self.chosen = ui.data.key
        path: list[NodeKey] = []
        parent = ui.parent
        while parent is not None and parent.data is not None:
            path.append(parent.data.key)
            parent = parent.parent
        self._wanted_path = path

    def _find(self, key: NodeKey) -> UINode[TreeNode] | None:
        for ui in self.root.children:
            found = self._restore(ui, key)
            if found is not None:
                return found
        return None

    def _recount(self, nodes: Sequence[TreeNode]) -> bool:
        """Swap in ``nodes`` if they match the shown ones line for line; False if not."""
        pairs: list[tuple[UINode[TreeNode], TreeNode]] = []

        def match(shown: Sequence[UINode[TreeNode]], new: Sequence[TreeNode]) -> bool:
            if len(shown) != len(new):
                return False
            for ui, node in zip(shown, new, strict=True):
                old = ui.data
                if (old is None or old.key != node.key or old.name != node.name
                        or old.error != node.error
                        or bool(old.children) != bool(node.children)):
                    return False
                if ui.children and not match(ui.children, node.children):
                    return False
                pairs.append((ui, node))
            return True

        if not self.root.children or not match(self.root.children, nodes):
            return False
        for ui, node in pairs:
            if ui.data is not None and (ui.data.count, ui.data.unread) != (node.count,
                                                                           node.unread):
                # A node's updates are part of its cached line's key (and of the
                # lines below it): redraw just those lines.
                ui._updates += 1
                if ui._line >= 0:
                    self._refresh_line(ui._line)
            ui.data = node
        return True

    def _restore(self, ui: UINode[TreeNode], key: NodeKey | None) -> UINode[TreeNode] | None:
        if ui.data is not None and ui.data.key == key:
            return ui
        for child in ui.children:
            found = self._restore(child, key)
            if found is not None:
                return found
        return None

    def _add(self, parent: UINode[TreeNode], node: TreeNode) -> UINode[TreeNode]:
        ui = parent.add(self._label(node), data=node, allow_expand=bool(node.children))
        if node.children and (node.key in self._expanded or (
                node.key[0] == "folder" and node.key not in self._folded)):
            self._populate(ui)
            ui.expand()
        return ui

    def _populate(self, ui: UINode[TreeNode]) -> None:
        if ui.children or ui.data is None:
            return
        children = ui.data.children
        for child in children[:MAX_CHILDREN]:
            self._add(ui, child)
        if len(children) > MAX_CHILDREN:
            more = len(children) - MAX_CHILDREN
            ui.add_leaf(Text(f"… {more:,} more, smaller ones (search finds them)",
                             style="dim italic"))

    def _on_tree_node_expanded(self, event: Tree.NodeExpanded[TreeNode]) -> None:
        if event.node.data is not None:
            self._expanded.add(event.node.data.key)
            self._folded.discard(event.node.data.key)
            self._populate(event.node)

    def _on_tree_node_collapsed(self, event: Tree.NodeCollapsed[TreeNode]) -> None:
        if event.node.data is not None:
            self._expanded.discard(event.node.data.key)
            self._folded.add(event.node.data.key)

    def _on_tree_node_highlighted(self, event: Tree.NodeHighlighted[TreeNode]) -> None:
        event.stop()
        node = event.node
        # A stale highlight (a rebuild replaced the node) or the node already chosen
        # (a rebuild put the cursor back on it) is not the user moving.
        if node.data is None or node is not self.cursor_node or node.data.key == self.chosen:
            return
        self._want(node)
        self.post_message(self.Chosen(self, node.data.key, node.data.name, False))

    def _on_tree_node_selected(self, event: Tree.NodeSelected[TreeNode]) -> None:
        event.stop()
        if event.node.data is not None:
            self._want(event.node)
            self.post_message(self.Chosen(self, event.node.data.key, event.node.data.name, True))

    def action_expand_node(self) -> None:
        """Expand the node under the cursor."""
        if self.cursor_node is not None and self.cursor_node.allow_expand:
            self.cursor_node.expand()

    def action_collapse_node(self) -> None:
        """Collapse the node under the cursor, or go to its parent."""
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)
